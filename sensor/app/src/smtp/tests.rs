use super::*;

/// Feeds (direction, bytes) steps; returns the event names raised.
fn run(steps: &[(Direction, &[u8])]) -> (SmtpState, Vec<&'static str>) {
    let mut s = SmtpState::new();
    let mut out = Vec::new();
    for (d, b) in steps {
        s.parse(*d, b, &mut out);
    }
    let names = out
        .iter()
        .filter_map(|e| match e {
            AppEvent::Anomaly(n) => Some(*n),
            _ => None,
        })
        .collect();
    (s, names)
}

const C: Direction = Direction::ToServer;
const S: Direction = Direction::ToClient;

#[test]
fn clean_session_raises_nothing() {
    let (s, ev) = run(&[
        (S, b"220 mx.example.com ESMTP\r\n"),
        (C, b"EHLO client\r\n"),
        (
            S,
            b"250-mx.example.com\r\n250-SIZE 1000\r\n250 8BITMIME\r\n",
        ),
        (C, b"MAIL FROM:<a@example.com>\r\n"),
        (S, b"250 OK\r\n"),
        (C, b"RCPT TO:<b@example.com>\r\n"),
        (S, b"250 OK\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 go ahead\r\n"),
        (C, b"Subject: hi\r\nFrom: a\r\n\r\nbody\r\n.\r\n"),
        (S, b"250 queued\r\n"),
        (C, b"QUIT\r\n"),
        (S, b"221 bye\r\n"),
    ]);
    assert!(ev.is_empty(), "{ev:?}");
    // QUIT came after the mail transaction was inspected and freed.
    assert_eq!(s.tx_count(), 2);
}

#[test]
fn client_speaking_before_the_banner_is_no_welcome_message() {
    let (_, ev) = run(&[(C, b"EHLO client\r\n"), (S, b"250 hello\r\n")]);
    assert_eq!(ev, vec!["smtp.no_server_welcome_message"]);
}

#[test]
fn first_reply_other_than_220_is_invalid_when_a_transaction_exists() {
    // Before any command there is no transaction to carry the event.
    let (_, ev) = run(&[(S, b"554 go away\r\n")]);
    assert!(ev.is_empty(), "{ev:?}");
    // A reply answering a command is not the welcome message; one more reply, with no
    // command pending, is taken for it.
    let (_, ev) = run(&[(C, b"HELO x\r\n"), (S, b"250 ok\r\n554 go away\r\n")]);
    assert_eq!(
        ev,
        vec!["smtp.no_server_welcome_message", "smtp.invalid_reply"]
    );
}

#[test]
fn unknown_reply_code_is_invalid_and_stops_parsing() {
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"299 what\r\n"),
        (C, b"EHLO y\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.invalid_reply"]);
    assert!(s.stopped());
}

#[test]
fn second_helo_and_second_mail_from_are_duplicate_fields() {
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"HELO x\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"250 ok\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.duplicate_fields"]);
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"MAIL FROM:<a>\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"MAIL FROM:<b>\r\n"),
        (S, b"250 ok\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.duplicate_fields"]);
}

#[test]
fn rejected_data_command() {
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"HELO x\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"DATA\r\n"),
        (S, b"503 need RCPT\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.data_command_rejected"]);
}

#[test]
fn command_sent_behind_data_is_an_invalid_pipelined_sequence() {
    let (_, ev) = run(&[(S, b"220 hi\r\n"), (C, b"HELO x\r\nDATA\r\nQUIT\r\n")]);
    assert_eq!(ev, vec!["smtp.invalid_pipelined_sequence"]);
}

#[test]
fn bdat_chunks_are_counted_across_commands() {
    // One chunk of exactly its length: fine.
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"BDAT 6 LAST\r\nhello\n"),
        (S, b"250 ok\r\n"),
    ]);
    assert!(ev.is_empty(), "{ev:?}");
    assert!(!s.stopped());
    // The second chunk's count starts where the first ended.
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"BDAT 6\r\nhello\n"),
        (S, b"250 ok\r\n"),
        (C, b"BDAT 6 LAST\r\nworld\n"),
    ]);
    assert_eq!(ev, vec!["smtp.bdat_chunk_len_exceeded"]);
    assert!(s.stopped());
}

#[test]
fn bdat_without_parameter_stops_parsing() {
    let (s, ev) = run(&[(S, b"220 hi\r\n"), (C, b"BDAT\r\n"), (S, b"521 syntax\r\n")]);
    assert!(ev.is_empty(), "{ev:?}");
    assert!(s.stopped());
    // A parameter without digits is length 0: the reply is still checked.
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"BDAT x\r\n"),
        (S, b"521 syntax\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.invalid_reply"]);
    assert!(s.stopped());
    assert_eq!(parse_bdat_len(b"BDAT  12 LAST"), Some(12));
    assert_eq!(parse_bdat_len(b"BDAT x"), Some(0));
    assert_eq!(parse_bdat_len(b"BDAT "), None);
    assert_eq!(parse_bdat_len(b"BDAT -1"), Some(u32::MAX));
}

#[test]
fn starttls_accepted_stops_parsing_rejected_is_an_event() {
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"STARTTLS\r\n"),
        (S, b"220 go\r\n"),
        (C, b"\x16\x03\x01\x00\x05hello\n"),
    ]);
    assert!(ev.is_empty(), "{ev:?}");
    assert!(s.upgraded_to_tls() && s.stopped());
    // A client going on in clear text starts over: no welcome message in that session.
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"STARTTLS\r\n"),
        (S, b"220 go\r\n"),
        (C, b"EHLO again\r\n"),
        (S, b"250 hi\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.no_server_welcome_message"]);
    assert!(!s.upgraded_to_tls() && !s.stopped());
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"STARTTLS\r\n"),
        (S, b"502 no tls\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.tls_rejected"]);
    // 454 is not among the codes Suricata knows: an invalid reply, and parsing stops.
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"STARTTLS\r\n"),
        (S, b"454 no tls\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.invalid_reply"]);
    assert!(s.stopped() && !s.upgraded_to_tls());
}

#[test]
fn second_data_in_a_transaction_is_unparsable_content() {
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"DATA\r\n"),
        (S, b"451 later\r\n"),
        (C, b"DATA\r\n"),
    ]);
    assert_eq!(
        ev,
        vec!["smtp.data_command_rejected", "smtp.unparsable_content"]
    );
}

#[test]
fn events_are_reported_once_per_transaction() {
    // Two mail transactions without a banner: the event once in each.
    let (s, ev) = run(&[
        (C, b"MAIL FROM:<a>\r\n"),
        (C, b"RCPT TO:<b>\r\n"),
        (C, b"DATA\r\n"),
        (S, b"250 ok\r\n"),
    ]);
    assert_eq!(ev, vec!["smtp.no_server_welcome_message"]);
    assert_eq!(s.tx_count(), 1);
}

#[test]
fn pipelining_server_enters_data_mode_without_waiting() {
    let (s, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"250-hi\r\n250-PIPELINING\r\n250 OK\r\n"),
        (
            C,
            b"MAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n",
        ),
    ]);
    // DATA then the end of data in the same burst: the end of data follows DATA.
    assert_eq!(ev, vec!["smtp.invalid_pipelined_sequence"]);
    // QUIT joins the finished transaction.
    assert_eq!(s.tx_count(), 1);
}

#[test]
fn split_input_gives_the_same_events() {
    let server: &[u8] = b"220 hi\r\n";
    let client: &[u8] = b"HELO x\r\nHELO y\r\nBDAT 3\r\nabcdef\r\n";
    let (_, whole) = run(&[(S, server), (C, client)]);
    assert_eq!(
        whole,
        vec!["smtp.duplicate_fields", "smtp.bdat_chunk_len_exceeded"]
    );
    for cut in 1..client.len() {
        let (_, ev) = run(&[(S, server), (C, &client[..cut]), (C, &client[cut..])]);
        assert_eq!(ev, whole, "cut {cut}");
    }
}

#[test]
fn long_lines_are_truncated() {
    let mut long = b"EHLO ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 5000));
    long.extend_from_slice(b"\r\nEHLO again\r\n");
    let (s, ev) = run(&[(S, b"220 hi\r\n"), (C, &long)]);
    // The rest of the input after a truncated line is dropped with it.
    assert!(ev.is_empty(), "{ev:?}");
    assert!(!s.stopped());
}

#[test]
fn invalid_reply_after_the_end_of_data_reaches_no_rule() {
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"HELO x\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 go\r\n"),
        (C, b"body\r\n.\r\n"),
        (S, b"4.7.0 deferred\r\n"),
    ]);
    assert!(ev.is_empty(), "{ev:?}");
}

#[test]
fn boundary_longer_than_the_mime_decoder_takes() {
    let long = "B".repeat(255);
    let headers = format!(
        "Subject: x\r\nContent-Type: multipart/mixed;\r\n boundary=\"{long}\"\r\n\r\n--{long}\r\n"
    );
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 go\r\n"),
        (C, headers.as_bytes()),
    ]);
    assert_eq!(ev, vec!["smtp.mime_long_boundary"]);
    let ok = headers.replace(&long, &long[..254]);
    let (_, ev) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 go\r\n"),
        (C, ok.as_bytes()),
    ]);
    assert!(ev.is_empty(), "{ev:?}");
    assert_eq!(
        boundary_len(b" multipart/mixed; boundary=abc; x=y"),
        Some(3)
    );
    assert_eq!(boundary_len(b" text/plain"), None);
}

#[test]
fn finished_transactions_are_freed_before_the_next_command() {
    // No banner: every transaction misses it, QUIT after the end of data opens one.
    let (s, ev) = run(&[
        (C, b"HELO x\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 go\r\n"),
        (C, b"body\r\n.\r\n"),
        (S, b"250 ok\r\n"),
        (C, b"QUIT\r\n"),
    ]);
    assert_eq!(
        ev,
        vec![
            "smtp.no_server_welcome_message",
            "smtp.no_server_welcome_message"
        ]
    );
    assert_eq!(s.tx_count(), 2);
    // QUIT sent with the end of data joins the transaction.
    let (s, _) = run(&[
        (S, b"220 hi\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 go\r\n"),
        (C, b"body\r\n.\r\nQUIT\r\n"),
    ]);
    assert_eq!(s.tx_count(), 1);
}
