//! The live view's API over real HTTP (SPEC section 7): the binary is
//! started with `--port 0` and spoken to through a TCP socket.

mod serve_support;

use std::collections::HashMap;
use std::io::{Read, Write};

use serve_support::{Server, SseEvent, connect, parse_events, request};

/// Every node's events: started first, then one end (finished, failed or
/// cancelled), in time order; and the stream ends with `done`.
fn check_stream(events: &[SseEvent]) -> HashMap<u64, Vec<String>> {
    let (last, nodes) = events.split_last().expect("some events");
    assert_eq!(last.event, "done", "{events:?}");
    let mut states: HashMap<u64, Vec<String>> = HashMap::new();
    for e in nodes {
        assert_eq!(e.event, "node");
        let node = e.data["node"].as_u64().expect("a node id");
        let state = e.data["state"].as_str().expect("a state").to_string();
        assert!(e.data["t_us"].is_u64(), "{e:?}");
        assert!(
            e.data["worker"].is_u64() || e.data["worker"] == "timer",
            "{e:?}"
        );
        match state.as_str() {
            "finished" => assert!(e.data["value"].is_string(), "{e:?}"),
            "failed" => assert!(e.data["error"].is_string(), "{e:?}"),
            _ => {}
        }
        states.entry(node).or_default().push(state);
    }
    for (node, s) in &states {
        assert_eq!(s[0], "started", "node {node}: {s:?}");
        assert!(s.len() <= 2, "node {node}: {s:?}");
    }
    states
}

#[test]
fn each_endpoint_answers_with_its_status() {
    let server = Server::start(&["-j", "2"]);
    // POST: 201 with an id and the node count.
    let reply = server.call("POST", "/api/runs", b"x = 3 + 4\nx * 2\n1/0\n2 +*");
    assert_eq!(reply.status, 201, "{}", reply.text());
    let created = reply.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(created["nodes"].as_u64().unwrap() >= 6, "{created}");
    // Events: text/event-stream, to `done`.
    let events = server.call("GET", &format!("/api/runs/{id}/events"), b"");
    assert_eq!(events.status, 200);
    assert!(
        events
            .header("content-type")
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = parse_events(&events.text());
    check_stream(&events);
    assert_eq!(events.last().unwrap().data["state"], "done");
    // GET: the statements with values, errors and carets, and the graph.
    let run = server.call("GET", &format!("/api/runs/{id}"), b"");
    assert_eq!(run.status, 200);
    let run = run.json();
    assert_eq!(run["id"], id.as_str());
    assert_eq!(run["state"], "done");
    let statements = run["statements"].as_array().unwrap();
    assert_eq!(statements[0]["value"], "7");
    assert_eq!(statements[1]["value"], "14");
    assert_eq!(statements[1]["text"], "x * 2");
    assert_eq!(statements[2]["error"]["kind"], "DivisionByZero");
    assert_eq!(statements[2]["error"]["line"], 3);
    let syntax = &statements[3]["error"];
    assert_eq!(
        (syntax["kind"].as_str(), syntax["line"].as_u64()),
        (Some("Syntax"), Some(4))
    );
    assert_eq!(syntax["column"], 4);
    assert!(
        syntax["report"]
            .as_str()
            .unwrap()
            .ends_with("4 | 2 +*\n  |    ^\n"),
        "{syntax}"
    );
    let nodes = run["graph"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len() as u64, created["nodes"].as_u64().unwrap());
    for (i, node) in nodes.iter().enumerate() {
        assert_eq!(node["id"], i);
        for key in ["label", "line", "column", "inputs"] {
            assert!(!node[key].is_null(), "{key} of {node}");
        }
        for input in node["inputs"].as_array().unwrap() {
            assert!(input.as_u64().unwrap() < i as u64);
        }
    }
    // Stats once done, and the Chrome trace to download.
    assert!(run["stats"]["work_us"].is_u64(), "{}", run["stats"]);
    assert_eq!(run["stats"]["workers"], 2);
    let trace = server.call("GET", &format!("/api/runs/{id}/trace"), b"");
    assert_eq!(trace.status, 200);
    assert!(
        trace
            .header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    assert!(trace.text().contains("\"ph\""), "{}", trace.text());
    trace.json();
    // The list of runs, the page, DELETE: 204; unknown ids and paths: 404.
    let list = server.call("GET", "/api/runs", b"").json();
    assert_eq!(list["runs"][0]["id"], id.as_str());
    let page = server.call("GET", "/", b"");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<html"));
    assert_eq!(
        server
            .call("DELETE", &format!("/api/runs/{id}"), b"")
            .status,
        204
    );
    for path in [
        "/api/runs/r999",
        "/api/runs/nope",
        "/api/runs/r1x/events",
        "/nothing",
    ] {
        assert_eq!(server.call("GET", path, b"").status, 404, "{path}");
    }
    assert_eq!(server.call("DELETE", "/api/runs/r999", b"").status, 404);
    // `workers=N`: a pool of that size; a bad N is 400.
    let two = server.call("POST", "/api/runs?workers=1", b"1+1");
    assert_eq!(two.status, 201);
    let two = two.json()["id"].as_str().unwrap().to_string();
    server.events(&two);
    assert_eq!(
        server.call("GET", &format!("/api/runs/{two}"), b"").json()["workers"],
        1
    );
    for bad in ["abc", "0", "100000", "-1"] {
        let reply = server.call("POST", &format!("/api/runs?workers={bad}"), b"1");
        assert_eq!(reply.status, 400, "workers={bad}");
        assert!(reply.json()["error"].is_string());
    }
    // Wrong method: 405.
    assert_eq!(server.call("PUT", "/api/runs", b"1").status, 405);
}

#[test]
fn without_the_token_every_call_is_401_and_a_foreign_host_403() {
    let server = Server::start(&["--token", "sesame"]);
    assert_eq!(server.token, "sesame");
    let id = server.run("1+1");
    let paths = [
        ("GET", "/".to_string()),
        ("GET", "/api/runs".to_string()),
        ("POST", "/api/runs".to_string()),
        ("GET", format!("/api/runs/{id}")),
        ("GET", format!("/api/runs/{id}/events")),
        ("DELETE", format!("/api/runs/{id}")),
        ("GET", "/api/runs/r999".to_string()),
    ];
    for (method, path) in &paths {
        let none = request(server.port, method, path, &[], b"1");
        assert_eq!(none.status, 401, "{method} {path}");
        let wrong = request(
            server.port,
            method,
            path,
            &[("Authorization", "Bearer sesamE")],
            b"1",
        );
        assert_eq!(wrong.status, 401, "{method} {path}");
        let query = format!(
            "{path}{}token=sesame",
            if path.contains('?') { "&" } else { "?" }
        );
        let ok = request(server.port, method, &query, &[], b"1");
        assert!(
            ok.status < 400 || ok.status == 404,
            "{method} {query}: {}",
            ok.status
        );
        for host in [
            "evil.example",
            "evil.example:80",
            "127.0.0.1.nip.io",
            "[::2]",
        ] {
            let headers = [("Host", host), ("Authorization", "Bearer sesame")];
            let foreign = request(server.port, method, path, &headers, b"1");
            assert_eq!(foreign.status, 403, "{method} {path} Host: {host}");
        }
        let local = [("Host", "localhost"), ("Authorization", "Bearer sesame")];
        let reply = request(server.port, method, path, &local, b"1");
        assert!(
            reply.status < 400 || reply.status == 404,
            "{method} {path} localhost"
        );
    }
}

#[test]
fn a_late_subscriber_gets_the_whole_run_and_a_live_one_the_same() {
    let server = Server::start(&["-j", "2"]);
    let id = server.run("a = delay(1, 300) + delay(2, 200)\nb = busy(a, 20) * 10\nb + a");
    // Live: subscribed while the delays wait.
    let live = server.events(&id);
    let states = check_stream(&live);
    // Every node ran: each started and finished.
    assert!(
        states.values().all(|s| s == &["started", "finished"]),
        "{states:?}"
    );
    assert_eq!(
        live.iter().filter(|e| e.data["worker"] == "timer").count(),
        4
    );
    // Late: after the end, the same events from the start.
    let late = server.events(&id);
    assert_eq!(late, live);
    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
    assert_eq!(run["statements"][2]["value"], "33");
    let done = &late.last().unwrap().data;
    assert!(done["wall_us"].as_u64().unwrap() >= 300_000, "{done}");
}

#[test]
fn delete_cancels_a_running_run() {
    let server = Server::start(&["-j", "2"]);
    let id = server.run("delay(1, 600000)\n2 + 2");
    // Wait for the delay to have started: the stream says so.
    let mut stream = connect(server.port);
    let head = format!(
        "GET /api/runs/{id}/events?token={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        server.token
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\"worker\":\"timer\"") {
        let n = stream.read(&mut buf).expect("the stream goes on");
        assert!(n > 0, "the stream ended early");
        seen.extend_from_slice(&buf[..n]);
    }
    assert_eq!(
        server
            .call("DELETE", &format!("/api/runs/{id}"), b"")
            .status,
        204
    );
    let events = server.events(&id);
    let states = check_stream(&events);
    assert_eq!(events.last().unwrap().data["state"], "cancelled");
    assert!(
        states.values().any(|s| s == &["started", "cancelled"]),
        "{states:?}"
    );
    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
    assert_eq!(run["state"], "cancelled");
    assert_eq!(run["statements"][0]["error"]["kind"], "Cancelled");
    assert_eq!(run["statements"][1]["value"], "4");
    // Deleting again is still 204: the run is kept, already over.
    assert_eq!(
        server
            .call("DELETE", &format!("/api/runs/{id}"), b"")
            .status,
        204
    );
}

#[test]
fn twenty_runs_at_once_on_one_pool() {
    let server = Server::start(&["-j", "2"]);
    let outcomes: Vec<(String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let server = &server;
                scope.spawn(move || {
                    let id = server.run(&format!("delay({i}, 100) + busy({i}, 5)"));
                    let events = server.events(&id);
                    check_stream(&events);
                    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
                    (
                        id,
                        run["statements"][0]["value"].as_str().unwrap().to_string(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, (_, value)) in outcomes.iter().enumerate() {
        assert_eq!(value, &(2 * i).to_string());
    }
    let ids: std::collections::HashSet<_> = outcomes.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 20);
    assert_eq!(
        server.call("GET", "/api/runs", b"").json()["runs"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
}

#[test]
fn a_hundred_subscribers_at_once_see_the_same_run() {
    let server = Server::start(&["-j", "2"]);
    let id = server.run("(delay(3, 200) + delay(7, 250)) * (delay(2, 300) + delay(8, 150))");
    let streams: Vec<Vec<SseEvent>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..100)
            .map(|_| scope.spawn(|| server.events(&id)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for events in &streams {
        check_stream(events);
        assert_eq!(events, &streams[0]);
    }
    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
    assert_eq!(run["statements"][0]["value"], "100");
}

#[test]
fn a_one_mib_program_runs_and_one_byte_more_is_413() {
    let server = Server::start(&["-j", "2"]);
    const MIB: usize = 1 << 20;
    // About 13,000 distinct lines sharing a subexpression.
    let shared = "0*(1+2+3+4+5+6+7+8+9+10+11+12+13+14+15+16+17+18+19+20+21+22+23+24)";
    let mut program = String::with_capacity(MIB);
    let mut i = 0;
    while program.len() + 100 < MIB {
        program.push_str(&format!("{i} + {shared}\n"));
        i += 1;
    }
    while program.len() < MIB {
        program.push('#');
    }
    assert_eq!(program.len(), MIB);
    let id = server.run(&program);
    let events = server.events(&id);
    assert_eq!(events.last().unwrap().data["state"], "done");
    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
    let statements = run["statements"].as_array().unwrap();
    assert_eq!(statements.len(), i);
    assert_eq!(statements[i - 1]["value"], (i - 1).to_string());
    program.push('1');
    let reply = server.call("POST", "/api/runs", program.as_bytes());
    assert_eq!(reply.status, 413);
    // The server goes on.
    assert_eq!(
        server.call("GET", &format!("/api/runs/{id}"), b"").status,
        200
    );
}

#[test]
fn a_client_leaving_mid_stream_harms_nothing() {
    let server = Server::start(&["-j", "2"]);
    let id = server.run("delay(5, 400) + delay(6, 800)");
    for _ in 0..10 {
        let mut stream = connect(server.port);
        let head = format!(
            "GET /api/runs/{id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\r\n",
            server.token
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut buf = [0u8; 64];
        assert!(stream.read(&mut buf).unwrap() > 0);
        drop(stream);
    }
    let events = server.events(&id);
    check_stream(&events);
    let run = server.call("GET", &format!("/api/runs/{id}"), b"").json();
    assert_eq!(run["statements"][0]["value"], "11");
    let again = server.run("1+1");
    assert_eq!(server.events(&again).last().unwrap().data["state"], "done");
}

#[test]
fn the_server_uses_only_the_public_api() {
    // `src/serve/` names the library only through the crate root's
    // exports (`crate::Engine`), never a private module
    // (`crate::eval::...`), as an embedder would.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/serve");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let private = line.split("crate::").skip(1).any(|rest| {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                rest[name.len()..].starts_with("::")
                    && name.chars().all(|c| c.is_lowercase() || c == '_')
            });
            assert!(!private, "{}:{}: {line}", path.display(), n + 1);
        }
    }
    assert!(files >= 8);
}

#[test]
fn the_command_line_of_serve() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let exe = env!("CARGO_BIN_EXE_exprflow");
    // A bad token is bad usage.
    for token in ["", "a b", "tok/en"] {
        let out = Command::new(exe)
            .args(["serve", "--port", "0", "--token", token])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--token {token:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--token"));
    }
    // `--bind` beyond this machine warns; `--open` runs the desktop's
    // opener with the URL (here a stand-in that writes it down).
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-open");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opened = dir.join("opened.txt");
    let opener = dir.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > {}\n", opened.display()),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&opener).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&opener, permissions).unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new(exe)
        .args([
            "serve", "--port", "0", "--bind", "0.0.0.0", "--open", "--token", "abc",
        ])
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut warning = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut warning)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("exprflow serving at ")
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("http://0.0.0.0:") && url.ends_with("/?token=abc"),
        "{url}"
    );
    assert!(
        warning.starts_with("warning: serving on 0.0.0.0"),
        "{warning}"
    );
    // The opener runs in the background: wait for what it writes (the
    // bound is the point: 60 s means it never ran).
    let began = std::time::Instant::now();
    while std::fs::read_to_string(&opened).map_or(true, |t| !t.ends_with('\n')) {
        assert!(
            began.elapsed() < std::time::Duration::from_secs(60),
            "--open ran nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&opened).unwrap().trim(), url);
    let _ = child.kill();
    let _ = child.wait();
    let help = Command::new(exe).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("serve"));
}
