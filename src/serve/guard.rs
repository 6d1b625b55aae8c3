//! Who may use the server: requests whose `Host` names this machine (a
//! page on another site that rebinds its name to 127.0.0.1 sends its own
//! name: 403) and that carry the token (`?token=` or `Authorization:
//! Bearer`: else 401).

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode, Uri, header};

/// The longest token `--token` accepts.
const MAX_TOKEN: usize = 256;

/// The checks every request passes.
pub(super) struct Guard {
    token: String,
    bind: IpAddr,
}

impl Guard {
    pub(super) fn new(token: String, bind: IpAddr) -> Guard {
        Guard { token, bind }
    }

    /// `Ok` when the request may go on, else the status and why.
    pub(super) fn admit(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), (StatusCode, &str)> {
        // Exactly one Host header, naming this machine.
        let mut hosts = headers.get_all(header::HOST).iter();
        let host = match (hosts.next(), hosts.next()) {
            (Some(host), None) => host.to_str().unwrap_or(""),
            _ => "",
        };
        if !self.host_allowed(host) {
            return Err((
                StatusCode::FORBIDDEN,
                "forbidden: the Host header must be 127.0.0.1, localhost or the bound address",
            ));
        }
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "));
        let query = uri.query().unwrap_or("").split('&');
        let from_query = query.filter_map(|pair| pair.strip_prefix("token="));
        if bearer
            .into_iter()
            .chain(from_query)
            .any(|t| self.is_token(t))
        {
            Ok(())
        } else {
            Err((
                StatusCode::UNAUTHORIZED,
                "unauthorized: open the URL `exprflow serve` printed (it carries ?token=...)",
            ))
        }
    }

    /// Whether `host` (a `Host` header: a name or address and maybe a
    /// port) names this machine as the server knows it.
    fn host_allowed(&self, host: &str) -> bool {
        if let Some(rest) = host.strip_prefix('[') {
            // An IPv6 address, in brackets.
            let inside = rest.split(']').next().unwrap_or("");
            return inside
                .parse::<std::net::Ipv6Addr>()
                .is_ok_and(|ip| IpAddr::V6(ip) == self.bind);
        }
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        if name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" {
            return true;
        }
        name.parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| IpAddr::V4(ip) == self.bind)
    }

    /// Compares in time independent of where the texts differ.
    fn is_token(&self, given: &str) -> bool {
        let (a, b) = (given.as_bytes(), self.token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// A token from `--token`: 1 to 256 characters that need no escaping in a
/// URL (letters, digits, `-`, `_`, `.`, `~`).
pub(super) fn check_token(token: &str) -> Result<(), String> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.~".contains(c);
    if token.is_empty() || token.len() > MAX_TOKEN || !token.chars().all(safe) {
        return Err(format!(
            "--token: 1 to {MAX_TOKEN} letters, digits, `-`, `_`, `.` or `~`"
        ));
    }
    Ok(())
}

/// 128 random bits from the operating system, as 32 hex digits.
pub(super) fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot make a token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard::new("secret".into(), "10.1.2.3".parse().unwrap())
    }

    #[test]
    fn hosts_naming_this_machine_pass() {
        let g = guard();
        for host in [
            "127.0.0.1:80",
            "localhost",
            "LOCALHOST:1",
            "10.1.2.3:9",
            "127.0.0.1",
        ] {
            assert!(g.host_allowed(host), "{host}");
        }
        for host in [
            "",
            "evil.example:80",
            "127.0.0.1.evil",
            "[::1]:80",
            "localhost.:1",
        ] {
            assert!(!g.host_allowed(host), "{host}");
        }
    }

    #[test]
    fn tokens_are_checked() {
        assert!(check_token("abc-DEF_1.~").is_ok());
        assert!(check_token("").is_err());
        assert!(check_token("a b").is_err());
        assert!(check_token(&"a".repeat(257)).is_err());
        let t = random_token().unwrap();
        assert_eq!(t.len(), 32);
        assert!(guard().is_token("secret") && !guard().is_token("secreT"));
    }
}
