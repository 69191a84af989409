//! A load generator for the public forms. The server throttles those per client
//! address (a burst of ten, then one every two minutes), and wrk sends everything from
//! one address, so after ten requests it would measure the refusal page. Every address
//! in 127.0.0.0/8 is this machine, so each connection here comes from its own loopback
//! address and sends fewer requests than the burst: the throttle stays in place and
//! never refuses, and the figures are those of real submissions.

use crate::stats::Summary;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

pub struct Plan {
    /// The server, such as 127.0.0.1:8080.
    pub server: SocketAddr,
    pub path: String,
    pub body: String,
    pub connections: usize,
    pub seconds: f64,
    /// Requests sent from one source address before moving to the next.
    pub per_address: u32,
    /// The first source address to use, counted from 127.1.0.1; a later run against the
    /// same server starts past the addresses an earlier one used.
    pub first_address: u64,
    /// Text every successful answer contains.
    pub expect: String,
}

/// The `n`th loopback address from 127.1.0.1, skipping 127.0.x.x (where the server
/// listens) and the .0 and .255 host parts.
pub fn source_address(n: u64) -> Ipv4Addr {
    let host = (n % 254) as u8 + 1;
    let middle = ((n / 254) % 256) as u8;
    let network = ((n / (254 * 256)) % 254) as u8 + 1;
    Ipv4Addr::new(127, network, middle, host)
}

/// Sends the plan's form from `connections` connections for `seconds`, and returns the
/// summary and the number of source addresses used.
pub async fn post_forms(plan: Plan) -> anyhow::Result<(Summary, u64)> {
    let plan = Arc::new(plan);
    let next_address = Arc::new(AtomicU64::new(plan.first_address));
    let deadline = Instant::now() + Duration::from_secs_f64(plan.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..plan.connections.max(1) {
        let (plan, next_address) = (plan.clone(), next_address.clone());
        tasks.push(tokio::spawn(async move {
            connection(&plan, &next_address, deadline).await
        }));
    }
    let mut summary = Summary::default();
    for task in tasks {
        let part = task.await?;
        summary.operations += part.operations;
        summary.errors += part.errors;
        summary.latencies_us.extend(part.latencies_us);
    }
    summary.seconds = start.elapsed().as_secs_f64();
    let used = next_address.load(Ordering::Relaxed) - plan.first_address;
    Ok((summary, used))
}

/// One connection's loop: a fresh source address, up to `per_address` requests on a
/// kept-alive connection, then the next address, until the deadline.
async fn connection(plan: &Plan, next_address: &AtomicU64, deadline: Instant) -> Summary {
    let mut summary = Summary::default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n{body}",
        path = plan.path,
        host = plan.server,
        length = plan.body.len(),
        body = plan.body,
    );
    while Instant::now() < deadline {
        let source = source_address(next_address.fetch_add(1, Ordering::Relaxed));
        let mut stream = match connect(source, plan.server).await {
            Ok(stream) => BufReader::new(stream),
            Err(error) => {
                report_first(&mut summary, format!("connecting from {source}: {error}"));
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        for _ in 0..plan.per_address {
            if Instant::now() >= deadline {
                break;
            }
            let began = Instant::now();
            let outcome = exchange(&mut stream, request.as_bytes()).await;
            match outcome {
                Ok((200, body)) if contains(&body, plan.expect.as_bytes()) => {
                    summary.operations += 1;
                    summary
                        .latencies_us
                        .push(began.elapsed().as_micros() as u64);
                }
                Ok((status, _)) => {
                    report_first(&mut summary, format!("the server answered {status}"));
                }
                Err(error) => {
                    report_first(&mut summary, format!("the exchange failed: {error}"));
                    break;
                }
            }
        }
    }
    summary
}

fn report_first(summary: &mut Summary, what: String) {
    if summary.errors == 0 {
        eprintln!("advocase-bench: {what}");
    }
    summary.errors += 1;
}

async fn connect(source: Ipv4Addr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sends one request and reads its whole answer (a sized or chunked body).
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    request: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    stream.get_mut().write_all(request).await?;
    read_response(stream).await
}

pub async fn read_response<R: tokio::io::AsyncBufRead + Unpin>(
    stream: &mut R,
) -> std::io::Result<(u16, Vec<u8>)> {
    let broken =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(broken("the server closed the connection"));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| broken("no status line"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(broken("the headers were cut off"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| broken("a bad chunk size"))?;
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).await?;
            chunk.truncate(size);
            body.extend_from_slice(&chunk);
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        stream.read_exact(&mut body).await?;
    }
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_addresses_are_loopback_and_distinct() {
        let first = source_address(0);
        assert_eq!(first, Ipv4Addr::new(127, 1, 0, 1));
        assert_eq!(source_address(253), Ipv4Addr::new(127, 1, 0, 254));
        assert_eq!(source_address(254), Ipv4Addr::new(127, 1, 1, 1));
        let many: std::collections::HashSet<_> = (0..200_000).map(source_address).collect();
        assert_eq!(many.len(), 200_000);
        assert!(many.iter().all(|a| a.is_loopback() && a.octets()[1] != 0));
    }

    #[tokio::test]
    async fn sized_and_chunked_answers_are_read_whole() {
        let sized = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        let (status, body) = read_response(&mut &sized[..]).await.unwrap();
        assert_eq!((status, body.as_slice()), (200, &b"hello"[..]));
        let chunked =
            b"HTTP/1.1 422 X\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let (status, body) = read_response(&mut &chunked[..]).await.unwrap();
        assert_eq!((status, body.as_slice()), (422, &b"abcde"[..]));
    }
}
