//! The live view's HTTP surface under hostile input: bodies no program
//! should be, ids that are not ids, huge and broken headers, garbage on
//! the socket, and a seeded fuzz of requests. Every answer is one of the
//! API's statuses (or the connection closed for a request HTTP itself
//! refuses), and the server keeps answering afterwards.

mod serve_support;

use std::io::{Read, Write};

use serve_support::{Server, connect, request};

/// The statuses the server may give.
const STATUSES: [u16; 9] = [200, 201, 204, 400, 401, 403, 404, 405, 413];

fn still_serves(server: &Server) {
    let id = server.run("6 * 7");
    let events = server.events(&id);
    assert_eq!(events.last().unwrap().data["state"], "done");
    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
    assert_eq!(run["statements"][0]["value"], "42");
}

#[test]
fn hostile_programs_are_outcomes_not_failures() {
    let server = Server::start(&["-j", "2", "--timeout", "20s"]);
    let deep = "(".repeat(100_000);
    let huge = "9".repeat(300_000);
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("blank lines", b"\n\n   \n# only a comment\n".to_vec()),
        ("binary", (0..=255u8).cycle().take(70_000).collect()),
        ("NUL", b"1 +\0 2\n3".to_vec()),
        ("deep nesting", deep.into_bytes()),
        ("huge literal", huge.into_bytes()),
        ("tower", b"2^2^2^2^2^2\n10^10^10".to_vec()),
        ("many errors", "1/0\n".repeat(20_000).into_bytes()),
        (
            "unknown names",
            "x y z\nf(1)\nsqrt(1, 2)".as_bytes().to_vec(),
        ),
        ("CRLF", b"1 + 1\r\n2 * 3\r\n".to_vec()),
        ("lone CR", b"1 + 1\r2".to_vec()),
        (
            "recursion",
            b"f(n) = if(n < 2, n, f(n-1) + f(n-2))\nf(300)".to_vec(),
        ),
        ("unicode", "π × 2\n１ + 1\n\u{202e}1+1".as_bytes().to_vec()),
    ];
    for (what, body) in &bodies {
        let reply = server.call("POST", "/api/runs", body);
        assert_eq!(reply.status, 201, "{what}: {}", reply.text());
        let id = reply.json()["id"].as_str().unwrap().to_string();
        let events = server.events(&id);
        assert_eq!(events.last().unwrap().event, "done", "{what}");
        let run = server.call("GET", &format!("/api/runs/{id}"), b"");
        assert_eq!(run.status, 200, "{what}");
        let run = run.json();
        for statement in run["statements"].as_array().unwrap() {
            let value = statement["value"].as_str().map_or(0, str::len);
            assert!(value <= 4_400, "{what}: a value of {value} characters");
            if let Some(report) = statement["error"]["report"].as_str() {
                assert!(report.contains('^'), "{what}: {report}");
                assert!(
                    report.len() < 2_000,
                    "{what}: a report of {} bytes",
                    report.len()
                );
            }
        }
    }
    still_serves(&server);
}

#[test]
fn ids_that_are_not_ids_are_404() {
    let server = Server::start(&[]);
    let long = format!("/api/runs/r{}", "9".repeat(5_000));
    let paths = [
        "/api/runs/",
        "/api/runs/r0",
        "/api/runs/r-1",
        "/api/runs/r18446744073709551616",
        "/api/runs/..%2f..%2fetc%2fpasswd",
        "/api/runs/%00",
        "/api/runs/r1%20",
        "/api/runs/%F0%9F%92%A5",
        "/api/runs/r1/events/extra",
        "/api/runs/r1/../r1",
        "/api//runs",
        long.as_str(),
    ];
    for path in paths {
        for method in ["GET", "DELETE"] {
            let reply = server.call(method, path, b"");
            assert!(
                [404, 405].contains(&reply.status),
                "{method} {path}: {}",
                reply.status
            );
        }
        let events = server.call("GET", &format!("{path}/events"), b"");
        assert!([404, 405].contains(&events.status), "{path}/events");
    }
    still_serves(&server);
}

#[test]
fn huge_and_broken_headers_are_refused_and_the_server_goes_on() {
    let server = Server::start(&[]);
    let auth = format!("Bearer {}", server.token);
    // One enormous header, and thousands of small ones.
    let big = "x".repeat(1 << 20);
    let reply = raw(
        server.port,
        &format!(
            "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\nX-Big: {big}\r\n\r\n"
        ),
    );
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
        "{}",
        head(&reply)
    );
    let many: String = (0..5_000).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let reply = raw(
        server.port,
        &format!("GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}\r\n"),
    );
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
        "{}",
        head(&reply)
    );
    // Two Host headers, an empty one, a Host with junk, a huge token.
    for host in [
        "",
        "127.0.0.1:1:2",
        "127.0.0.1\u{7f}",
        "[127.0.0.1]",
        "localhost@evil",
    ] {
        let reply = request(
            server.port,
            "GET",
            "/api/runs",
            &[("Host", host), ("Authorization", &auth)],
            b"",
        );
        assert!(
            [400, 403].contains(&reply.status),
            "Host {host:?}: {}",
            reply.status
        );
    }
    let reply = raw(
        server.port,
        &format!(
            "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nAuthorization: {auth}\r\n\r\n"
        ),
    );
    assert!(!reply.starts_with("HTTP/1.1 2"), "{}", head(&reply));
    // A long wrong token in the query: 401 (the header's token still
    // counts); a URI past hyper's limit (64 KiB): 414.
    let token = format!("/api/runs?token={}", "a".repeat(10_000));
    let reply = server.call("GET", &token, b"");
    assert_eq!(reply.status, 200, "the header's token counts");
    assert_eq!(request(server.port, "GET", &token, &[], b"").status, 401);
    let longer = format!("/api/runs?token={}", "a".repeat(100_000));
    assert_eq!(server.call("GET", &longer, b"").status, 414);
    // A body whose length lies, a chunked body past 1 MiB, a bad method.
    let reply = raw(
        server.port,
        &format!(
            "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\nContent-Length: 99999999999999999999\r\n\r\n1"
        ),
    );
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
        "{}",
        head(&reply)
    );
    let chunk = "a".repeat(1 << 16);
    let mut chunked = format!(
        "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    for _ in 0..20 {
        chunked.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    chunked.push_str("0\r\n\r\n");
    let reply = raw(server.port, &chunked);
    assert!(reply.starts_with("HTTP/1.1 413"), "{}", head(&reply));
    let reply = raw(
        server.port,
        &format!("BREW /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n\r\n"),
    );
    assert!(reply.starts_with("HTTP/1.1 405"), "{}", head(&reply));
    still_serves(&server);
}

#[test]
fn garbage_on_the_socket_and_a_seeded_fuzz_of_requests() {
    let server = Server::start(&[]);
    let auth = format!("Bearer {}", server.token);
    for garbage in [
        &b"\0\0\0\0"[..],
        b"GET\r\n\r\n",
        b"\xff\xfe HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost",
    ] {
        let mut stream = connect(server.port);
        let _ = stream.write_all(garbage);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        let reply = String::from_utf8_lossy(&reply);
        assert!(
            reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
            "{}",
            head(&reply)
        );
    }
    // A small xorshift generator: the same requests every run.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pieces = [
        "/api/runs",
        "/api/runs/r1",
        "/events",
        "/trace",
        "?workers=",
        "?token=",
        "%",
        "..",
        "/",
        "r",
        "1",
        "&",
        "ü",
        "%2F",
        "0",
    ];
    let methods = ["GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "PATCH"];
    for round in 0..300 {
        let mut path = String::from("/");
        for _ in 0..(next() % 5) {
            path.push_str(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let path: String = path.chars().filter(|c| c.is_ascii_graphic()).collect();
        let method = methods[(next() % methods.len() as u64) as usize];
        let body: Vec<u8> = (0..(next() % 64)).map(|_| (next() % 256) as u8).collect();
        let with_token = next() % 4 != 0;
        let headers: Vec<(&str, &str)> = if with_token {
            vec![("Authorization", auth.as_str())]
        } else {
            vec![]
        };
        let reply = request(server.port, method, &path, &headers, &body);
        assert!(
            STATUSES.contains(&reply.status) || (method == "HEAD" && reply.status == 200),
            "round {round}: {method} {path}: {}",
            reply.status
        );
        if !with_token {
            assert_eq!(reply.status, 401, "round {round}: {method} {path}");
        }
    }
    still_serves(&server);
}

/// Sends `text` as it is and reads what comes back until the server
/// closes the connection.
fn raw(port: u16, text: &str) -> String {
    let mut stream = connect(port);
    let text = text.replacen("\r\n", "\r\nConnection: close\r\n", 1);
    let _ = stream.write_all(text.as_bytes());
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply).into_owned()
}

fn head(reply: &str) -> &str {
    reply.lines().next().unwrap_or("")
}
