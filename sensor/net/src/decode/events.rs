//! Decoder events, named exactly as Suricata's `decode-event:` keyword names them (every name of
//! Suricata 7.0.10's decoder-events.rules, plus the few decoder events it has without a rule).

macro_rules! decode_events {
    ($($variant:ident => $name:literal,)*) => {
        /// A decoder anomaly. `name()` gives Suricata's event name (e.g. `"ipv4.trunc_pkt"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum DecodeEvent {
            $($variant,)*
        }

        impl DecodeEvent {
            /// Every event, in declaration order; index = `self as usize`.
            pub const ALL: &'static [DecodeEvent] = &[$(DecodeEvent::$variant,)*];

            /// Suricata's name for the event, as used in `decode-event:` and stats.
            pub fn name(&self) -> &'static str {
                match self {
                    $(DecodeEvent::$variant => $name,)*
                }
            }

            /// Looks an event up by Suricata name (a `decoder.` prefix is accepted).
            pub fn from_name(name: &str) -> Option<DecodeEvent> {
                let name = name.strip_prefix("decoder.").unwrap_or(name);
                match name {
                    $($name => Some(DecodeEvent::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

decode_events! {
AfpacketTruncPkt => "afpacket.trunc_pkt",
ChdlcPktTooSmall => "chdlc.pkt_too_small",
DcePktTooSmall => "dce.pkt_too_small",
ErspanHeaderTooSmall => "erspan.header_too_small",
ErspanTooManyVlanLayers => "erspan.too_many_vlan_layers",
ErspanUnsupportedVersion => "erspan.unsupported_version",
EthernetPktTooSmall => "ethernet.pkt_too_small",
GrePktTooSmall => "gre.pkt_too_small",
    GreVersion0MalformedSreHdr => "gre.version0_malformed_sre_hdr",
    GeneveUnknownPayloadType => "geneve.unknown_payload_type",
    EspPktTooSmall => "esp.pkt_too_small",
    SctpPktTooSmall => "sctp.pkt_too_small",
    VxlanUnknownPayloadType => "vxlan.unknown_payload_type",
    Ipv4FragIgnored => "ipv4.frag_ignored",
    Ipv6FragIgnored => "ipv6.frag_ignored",
GreVersion0Flags => "gre.version0_flags",
GreVersion0HdrTooBig => "gre.version0_hdr_too_big",
GreVersion0Recur => "gre.version0_recur",
GreVersion1Chksum => "gre.version1_chksum",
GreVersion1Flags => "gre.version1_flags",
GreVersion1HdrTooBig => "gre.version1_hdr_too_big",
GreVersion1MalformedSreHdr => "gre.version1_malformed_sre_hdr",
GreVersion1NoKey => "gre.version1_no_key",
GreVersion1Recur => "gre.version1_recur",
GreVersion1Route => "gre.version1_route",
GreVersion1Ssr => "gre.version1_ssr",
GreVersion1WrongProtocol => "gre.version1_wrong_protocol",
GreWrongVersion => "gre.wrong_version",
Icmpv4Ipv4TruncPkt => "icmpv4.ipv4_trunc_pkt",
Icmpv4Ipv4UnknownVer => "icmpv4.ipv4_unknown_ver",
Icmpv4PktTooSmall => "icmpv4.pkt_too_small",
Icmpv4UnknownCode => "icmpv4.unknown_code",
Icmpv4UnknownType => "icmpv4.unknown_type",
Icmpv6ExperimentationType => "icmpv6.experimentation_type",
Icmpv6Ipv6TruncPkt => "icmpv6.ipv6_trunc_pkt",
Icmpv6Ipv6UnknownVersion => "icmpv6.ipv6_unknown_version",
Icmpv6MldMessageWithInvalidHl => "icmpv6.mld_message_with_invalid_hl",
Icmpv6PktTooSmall => "icmpv6.pkt_too_small",
Icmpv6UnassignedType => "icmpv6.unassigned_type",
Icmpv6UnknownCode => "icmpv6.unknown_code",
Icmpv6UnknownType => "icmpv6.unknown_type",
Ieee8021ahHeaderTooSmall => "ieee8021ah.header_too_small",
IprawInvalidIpVersion => "ipraw.invalid_ip_version",
Ipv4FragOverlap => "ipv4.frag_overlap",
Ipv4FragPktTooLarge => "ipv4.frag_pkt_too_large",
Ipv4HlenTooSmall => "ipv4.hlen_too_small",
Ipv4Icmpv6 => "ipv4.icmpv6",
Ipv4IplenSmallerThanHlen => "ipv4.iplen_smaller_than_hlen",
Ipv4OptDuplicate => "ipv4.opt_duplicate",
Ipv4OptEolRequired => "ipv4.opt_eol_required",
Ipv4OptInvalid => "ipv4.opt_invalid",
Ipv4OptInvalidLen => "ipv4.opt_invalid_len",
Ipv4OptMalformed => "ipv4.opt_malformed",
Ipv4OptPadRequired => "ipv4.opt_pad_required",
Ipv4OptUnknown => "ipv4.opt_unknown",
Ipv4PktTooSmall => "ipv4.pkt_too_small",
Ipv4TruncPkt => "ipv4.trunc_pkt",
Ipv4WrongIpVersion => "ipv4.wrong_ip_version",
Ipv6DataAfterNoneHeader => "ipv6.data_after_none_header",
Ipv6DstoptsOnlyPadding => "ipv6.dstopts_only_padding",
Ipv6DstoptsUnknownOpt => "ipv6.dstopts_unknown_opt",
Ipv6ExthdrAhResNotNull => "ipv6.exthdr_ah_res_not_null",
Ipv6ExthdrDuplAh => "ipv6.exthdr_dupl_ah",
Ipv6ExthdrDuplDh => "ipv6.exthdr_dupl_dh",
Ipv6ExthdrDuplEh => "ipv6.exthdr_dupl_eh",
Ipv6ExthdrDuplFh => "ipv6.exthdr_dupl_fh",
Ipv6ExthdrDuplHh => "ipv6.exthdr_dupl_hh",
Ipv6ExthdrDuplRh => "ipv6.exthdr_dupl_rh",
Ipv6ExthdrInvalidOptlen => "ipv6.exthdr_invalid_optlen",
Ipv6ExthdrUselessFh => "ipv6.exthdr_useless_fh",
Ipv6FhNonZeroReservedField => "ipv6.fh_non_zero_reserved_field",
Ipv6FragInvalidLength => "ipv6.frag_invalid_length",
Ipv6FragOverlap => "ipv6.frag_overlap",
Ipv6FragPktTooLarge => "ipv6.frag_pkt_too_large",
Ipv6HopoptsOnlyPadding => "ipv6.hopopts_only_padding",
Ipv6HopoptsUnknownOpt => "ipv6.hopopts_unknown_opt",
Ipv6Icmpv4 => "ipv6.icmpv4",
Ipv6Ipv4InIpv6TooSmall => "ipv6.ipv4_in_ipv6_too_small",
Ipv6Ipv4InIpv6WrongVersion => "ipv6.ipv4_in_ipv6_wrong_version",
Ipv6Ipv6InIpv6TooSmall => "ipv6.ipv6_in_ipv6_too_small",
Ipv6Ipv6InIpv6WrongVersion => "ipv6.ipv6_in_ipv6_wrong_version",
Ipv6PktTooSmall => "ipv6.pkt_too_small",
Ipv6RhType0 => "ipv6.rh_type_0",
Ipv6TruncExthdr => "ipv6.trunc_exthdr",
Ipv6TruncPkt => "ipv6.trunc_pkt",
Ipv6UnknownNextHeader => "ipv6.unknown_next_header",
Ipv6WrongIpVersion => "ipv6.wrong_ip_version",
Ipv6ZeroLenPadn => "ipv6.zero_len_padn",
LtnullPktTooSmall => "ltnull.pkt_too_small",
LtnullUnsupportedType => "ltnull.unsupported_type",
MplsBadLabelImplicitNull => "mpls.bad_label_implicit_null",
MplsBadLabelReserved => "mpls.bad_label_reserved",
MplsBadLabelRouterAlert => "mpls.bad_label_router_alert",
MplsHeaderTooSmall => "mpls.header_too_small",
MplsPktTooSmall => "mpls.pkt_too_small",
MplsUnknownPayloadType => "mpls.unknown_payload_type",
PppIp4PktTooSmall => "ppp.ip4_pkt_too_small",
PppIp6PktTooSmall => "ppp.ip6_pkt_too_small",
PppPktTooSmall => "ppp.pkt_too_small",
PppUnsupProto => "ppp.unsup_proto",
PppVjuPktTooSmall => "ppp.vju_pkt_too_small",
PppWrongType => "ppp.wrong_type",
PppoeMalformedTags => "pppoe.malformed_tags",
PppoePktTooSmall => "pppoe.pkt_too_small",
PppoeWrongCode => "pppoe.wrong_code",
SllPktTooSmall => "sll.pkt_too_small",
TcpHlenTooSmall => "tcp.hlen_too_small",
TcpInvalidOptlen => "tcp.invalid_optlen",
TcpOptDuplicate => "tcp.opt_duplicate",
TcpOptInvalidLen => "tcp.opt_invalid_len",
TcpPktTooSmall => "tcp.pkt_too_small",
TooManyLayers => "too_many_layers",
UdpHlenTooSmall => "udp.hlen_too_small",
UdpLenInvalid => "udp.len_invalid",
UdpPktTooSmall => "udp.pkt_too_small",
VlanHeaderTooSmall => "vlan.header_too_small",
VlanTooManyLayers => "vlan.too_many_layers",
VlanUnknownType => "vlan.unknown_type",
VntagHeaderTooSmall => "vntag.header_too_small",
VntagUnknownType => "vntag.unknown_type",}

/// Number of distinct decoder events.
pub const EVENT_COUNT: usize = DecodeEvent::ALL.len();

impl DecodeEvent {
    /// Index of the event in [`DecodeEvent::ALL`].
    pub fn index(&self) -> usize {
        *self as usize
    }
}

impl std::fmt::Display for DecodeEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (i, ev) in DecodeEvent::ALL.iter().enumerate() {
            assert_eq!(ev.index(), i);
            assert_eq!(DecodeEvent::from_name(ev.name()), Some(*ev));
        }
        assert_eq!(DecodeEvent::Ipv4TruncPkt.name(), "ipv4.trunc_pkt");
        assert_eq!(
            DecodeEvent::from_name("decoder.ipv4.iplen_smaller_than_hlen"),
            Some(DecodeEvent::Ipv4IplenSmallerThanHlen)
        );
        assert_eq!(DecodeEvent::from_name("nope.nothing"), None);
    }
}
