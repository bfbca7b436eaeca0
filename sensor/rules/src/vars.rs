//! Address and port variables (`$HOME_NET`, `$HTTP_PORTS`, ...).

use std::collections::HashMap;

/// Address and port groups used to resolve `$NAME` in rule headers.
#[derive(Debug, Clone)]
pub struct Vars {
    addresses: HashMap<String, String>,
    ports: HashMap<String, String>,
}

const DEFAULT_ADDRESSES: &[(&str, &str)] = &[
    ("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"),
    ("EXTERNAL_NET", "!$HOME_NET"),
    ("HTTP_SERVERS", "$HOME_NET"),
    ("SMTP_SERVERS", "$HOME_NET"),
    ("SQL_SERVERS", "$HOME_NET"),
    ("DNS_SERVERS", "$HOME_NET"),
    ("TELNET_SERVERS", "$HOME_NET"),
    ("AIM_SERVERS", "$EXTERNAL_NET"),
    ("DC_SERVERS", "$HOME_NET"),
    ("DNP3_SERVER", "$HOME_NET"),
    ("DNP3_CLIENT", "$HOME_NET"),
    ("MODBUS_CLIENT", "$HOME_NET"),
    ("MODBUS_SERVER", "$HOME_NET"),
    ("ENIP_CLIENT", "$HOME_NET"),
    ("ENIP_SERVER", "$HOME_NET"),
];

const DEFAULT_PORTS: &[(&str, &str)] = &[
    ("HTTP_PORTS", "80"),
    ("SHELLCODE_PORTS", "!80"),
    ("ORACLE_PORTS", "1521"),
    ("SSH_PORTS", "22"),
    ("DNP3_PORTS", "20000"),
    ("MODBUS_PORTS", "502"),
    ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
    ("FTP_PORTS", "21"),
    ("GENEVE_PORTS", "6081"),
    ("VXLAN_PORTS", "4789"),
    ("TEREDO_PORTS", "3544"),
];

impl Default for Vars {
    /// Suricata 7's stock `suricata.yaml` address and port groups.
    fn default() -> Self {
        Vars {
            addresses: DEFAULT_ADDRESSES
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: DEFAULT_PORTS
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

impl Vars {
    /// Empty set of variables (no defaults).
    pub fn empty() -> Vars {
        Vars {
            addresses: HashMap::new(),
            ports: HashMap::new(),
        }
    }

    /// Set (or override) a variable. Names ending in `_PORTS`/`_PORT`, or already
    /// known as port groups, are port variables; all others are address variables.
    /// A leading `$` in `name` is ignored.
    pub fn set(&mut self, name: &str, value: &str) {
        let name = name.trim_start_matches('$');
        if self.ports.contains_key(name) || name.ends_with("_PORTS") || name.ends_with("_PORT") {
            self.ports.insert(name.to_string(), value.to_string());
        } else {
            self.addresses.insert(name.to_string(), value.to_string());
        }
    }

    /// Set an address group explicitly.
    pub fn set_address(&mut self, name: &str, value: &str) {
        self.addresses
            .insert(name.trim_start_matches('$').to_string(), value.to_string());
    }

    /// Set a port group explicitly.
    pub fn set_port(&mut self, name: &str, value: &str) {
        self.ports
            .insert(name.trim_start_matches('$').to_string(), value.to_string());
    }

    /// Look up an address group.
    pub fn address(&self, name: &str) -> Option<&str> {
        self.addresses.get(name).map(String::as_str)
    }

    /// Look up a port group.
    pub fn port(&self, name: &str) -> Option<&str> {
        self.ports.get(name).map(String::as_str)
    }
}
