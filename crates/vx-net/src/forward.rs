//! Forwarding an http request through a proxy (see [`super::proxy`] for why and how):
//! [`AbsoluteForm`] is the last link of the forwarding agent's connector chain; it
//! wraps the connection to the proxy so that the request line ureq writes in origin
//! form (`GET /path HTTP/1.1`) leaves in absolute form
//! (`GET http://host:port/path HTTP/1.1`). The agent keeps no idle connection, so the
//! first bytes sent on a connection are the one request line it will carry.

use std::fmt;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The connector that puts [`AbsoluteFormTransport`] around the proxy connection.
#[derive(Debug, Default)]
pub(crate) struct AbsoluteForm;

impl Connector<Box<dyn Transport>> for AbsoluteForm {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(inner) = chained else {
            return Ok(None);
        };
        let uri = details.uri;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(ureq::Error::BadUri(format!("{uri} is not absolute")));
        };
        Ok(Some(Box::new(AbsoluteFormTransport {
            inner,
            origin: format!("{scheme}://{authority}"),
            line_sent: false,
        })))
    }
}

/// A connection to a proxy whose first request line is sent in absolute form.
pub(crate) struct AbsoluteFormTransport {
    inner: Box<dyn Transport>,
    /// `http://host:port` of the request's target.
    origin: String,
    /// Whether the request line has gone out.
    line_sent: bool,
}

impl fmt::Debug for AbsoluteFormTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbsoluteFormTransport")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Transport for AbsoluteFormTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.line_sent || amount == 0 {
            return self.inner.transmit_output(amount, timeout);
        }
        self.line_sent = true;
        let written = &self.inner.buffers().output()[..amount];
        let bytes = absolute_form(written, &self.origin);
        // The longer line may not fit the output buffer with the rest: send in turns.
        let mut sent = 0;
        while sent < bytes.len() {
            let output = self.inner.buffers().output();
            let n = output.len().min(bytes.len() - sent);
            output[..n].copy_from_slice(&bytes[sent..sent + n]);
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }
}

/// `request` (bytes starting with an origin-form request line) with `origin` put
/// before the request target: `GET /a HTTP/1.1` → `GET http://h:1/a HTTP/1.1`.
fn absolute_form(request: &[u8], origin: &str) -> Vec<u8> {
    let at = request
        .iter()
        .position(|&b| b == b' ')
        .map_or(request.len(), |space| space + 1);
    let mut bytes = Vec::with_capacity(request.len() + origin.len());
    bytes.extend_from_slice(&request[..at]);
    bytes.extend_from_slice(origin.as_bytes());
    bytes.extend_from_slice(&request[at..]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_line_gets_the_origin() {
        assert_eq!(
            absolute_form(
                b"GET /a/b.tgz?x=1 HTTP/1.1\r\nHost: vm:8\r\n\r\n",
                "http://vm:8"
            ),
            b"GET http://vm:8/a/b.tgz?x=1 HTTP/1.1\r\nHost: vm:8\r\n\r\n"
        );
        assert_eq!(
            absolute_form(b"HEAD / HTTP/1.1\r\n", "http://[::1]:80"),
            b"HEAD http://[::1]:80/ HTTP/1.1\r\n"
        );
    }
}
