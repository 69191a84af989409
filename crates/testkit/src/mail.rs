//! A small real SMTP server for tests, so that a test can read a delivered email the way
//! a person would and act on what it says.
//!
//! It listens on `127.0.0.1` on a port the system chooses, speaks plain SMTP (no
//! STARTTLS, no authentication), accepts every message and keeps it. Each connection is
//! served on a thread of its own; the server stops when it is dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct DeliveredMail {
    /// The envelope sender, as given in `MAIL FROM`.
    pub from: String,
    /// The envelope recipients, as given in each `RCPT TO`.
    pub to: Vec<String>,
    /// The message: headers, a blank line and the body, with lines ending in CRLF and
    /// the dots that SMTP doubles at the start of a line made single again.
    pub data: String,
}

impl DeliveredMail {
    /// The message with quoted-printable soft line breaks joined again, so a test can
    /// look for a sentence whatever transfer encoding the sender chose.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "")
    }

    /// The first run of `digits` digits that follows `after` in the message.
    pub fn digits_after(&self, after: &str, digits: usize) -> Option<String> {
        let text = self.text();
        let rest = &text[text.find(after)? + after.len()..];
        let code: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (code.len() == digits).then_some(code)
    }
}

/// What the server has seen, shared with its connection threads.
#[derive(Default)]
struct Seen {
    messages: Mutex<Vec<DeliveredMail>>,
    connections: AtomicUsize,
}

/// A running SMTP server; dropping it stops it.
pub struct MailServer {
    address: SocketAddr,
    seen: Arc<Seen>,
    stopping: Arc<AtomicBool>,
}

impl MailServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test mail server");
        let address = listener
            .local_addr()
            .expect("the test mail server's address");
        let seen = Arc::new(Seen::default());
        let stopping = Arc::new(AtomicBool::new(false));
        let (accept_seen, accept_stopping) = (seen.clone(), stopping.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                accept_seen.connections.fetch_add(1, Ordering::SeqCst);
                let seen = accept_seen.clone();
                std::thread::spawn(move || {
                    // A client that breaks off mid-conversation ends only its own thread.
                    let _ = serve(stream, &seen);
                });
            }
        });
        Self {
            address,
            seen,
            stopping,
        }
    }

    /// The address to give the sender: plain SMTP on this server's port.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<DeliveredMail> {
        self.seen.messages.lock().expect("the mail list").clone()
    }

    /// How many connections clients have opened, whether or not they sent anything.
    pub fn connections(&self) -> usize {
        self.seen.connections.load(Ordering::SeqCst)
    }

    /// Waits up to `timeout` until at least `count` messages have arrived, and answers
    /// them. A sender may report success a moment before the message is kept.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<DeliveredMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() >= deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The accepting thread waits in `accept`: one more connection wakes it to stop.
        let _ = TcpStream::connect(self.address);
    }
}

/// An `smtp://` address on which nothing listens, for tests of a mail server that is
/// down: the port was free a moment ago and is closed again.
pub fn unreachable_mail_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let address = listener.local_addr().expect("the free port's address");
    drop(listener);
    format!("smtp://{address}")
}

/// Serves one connection: greeting, commands, and messages, until QUIT or the client
/// goes away.
fn serve(stream: TcpStream, seen: &Seen) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writer.write_all(b"220 localhost test mail server\r\n")?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 localhost\r\n",
            "MAIL" => {
                from = angle_bracketed(command);
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(angle_bracketed(command));
                b"250 OK\r\n"
            }
            "RSET" => {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "DATA" => {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let data = read_data(&mut reader)?;
                seen.messages
                    .lock()
                    .expect("the mail list")
                    .push(DeliveredMail {
                        from: std::mem::take(&mut from),
                        to: std::mem::take(&mut to),
                        data,
                    });
                b"250 OK: queued\r\n"
            }
            "QUIT" => {
                writer.write_all(b"221 Bye\r\n")?;
                return Ok(());
            }
            _ => b"500 Command not recognised\r\n",
        };
        writer.write_all(reply)?;
    }
}

/// The message after DATA, up to the line with a single dot.
fn read_data(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        // SMTP doubles a dot at the start of a line so that it cannot end the message.
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
    }
}

/// The address between `<` and `>` in a MAIL or RCPT command.
fn angle_bracketed(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(writer: &mut TcpStream, reader: &mut BufReader<TcpStream>, line: &str) -> String {
        writer.write_all(line.as_bytes()).unwrap();
        let mut reply = String::new();
        reader.read_line(&mut reply).unwrap();
        reply
    }

    #[test]
    fn the_test_mail_server_keeps_each_message_with_its_envelope() {
        let server = MailServer::start();
        let stream = TcpStream::connect(server.address).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut greeting = String::new();
        reader.read_line(&mut greeting).unwrap();
        assert!(greeting.starts_with("220 "));
        assert!(say(&mut writer, &mut reader, "EHLO test\r\n").starts_with("250 "));
        assert!(say(&mut writer, &mut reader, "NOOP\r\n").starts_with("250 "));
        assert!(
            say(&mut writer, &mut reader, "MAIL FROM:<from@example.org>\r\n").starts_with("250 ")
        );
        assert!(say(&mut writer, &mut reader, "RCPT TO:<to@example.org>\r\n").starts_with("250 "));
        assert!(say(&mut writer, &mut reader, "DATA\r\n").starts_with("354 "));
        let reply = say(
            &mut writer,
            &mut reader,
            "Subject: hello\r\n\r\nYour code is 012345.\r\n..a dot\r\n.\r\n",
        );
        assert!(reply.starts_with("250 "), "{reply}");
        assert!(say(&mut writer, &mut reader, "QUIT\r\n").starts_with("221 "));
        let messages = server.wait_for(1, Duration::from_secs(5));
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].from, "from@example.org");
        assert_eq!(messages[0].to, vec!["to@example.org".to_string()]);
        assert!(messages[0].data.contains("\r\n.a dot\r\n"));
        assert_eq!(
            messages[0].digits_after("code is", 6).as_deref(),
            Some("012345")
        );
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn nothing_answers_at_the_unreachable_address() {
        let url = unreachable_mail_url();
        let address = url.trim_start_matches("smtp://");
        assert!(TcpStream::connect(address).is_err());
    }
}
