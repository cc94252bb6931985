//! Responses made of JSON texts kept in memory (`services::catalog::texts`), written
//! out without copying them.
//!
//! A response serialised into one buffer costs an allocation as large as the response;
//! above a few hundred kilobytes (the whole catalog's `spec.owner` counts at 100,000
//! entities) that is fresh memory from the system at each request, touched page by page.
//! Here the body is the kept texts themselves between small joints, and its exact length
//! is known, so it is sent with `Content-Length`.

use std::{
    collections::VecDeque,
    convert::Infallible,
    io::Write,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    body::{Body, Bytes},
    http::header,
    response::{IntoResponse, Response},
};
use flate2::{write::GzEncoder, Compression};
use http_body::{Frame, SizeHint};

use crate::services::JsonText;

/// A JSON body: pieces written one after the other.
#[derive(Debug, Default)]
pub struct KeptJson {
    pieces: VecDeque<Bytes>,
    length: u64,
}

/// A kept text as bytes, sharing its memory.
struct Shared(JsonText);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.get().as_bytes()
    }
}

impl KeptJson {
    /// Adds JSON written here (punctuation, keys).
    pub fn push_str(&mut self, json: impl Into<String>) {
        self.push(Bytes::from(json.into()));
    }

    /// Adds a kept text, without copying it.
    pub fn push_text(&mut self, text: &JsonText) {
        self.push(Bytes::from_owner(Shared(text.clone())));
    }

    /// How many bytes the body holds.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// The body gzipped (at the default level: for a body written once and sent many
    /// times).
    pub fn gzip(&self) -> Vec<u8> {
        let mut encoder = GzEncoder::new(
            Vec::with_capacity(self.length as usize / 8),
            Compression::default(),
        );
        for piece in &self.pieces {
            encoder.write_all(piece).expect("writing to memory");
        }
        encoder.finish().expect("writing to memory")
    }

    fn push(&mut self, piece: Bytes) {
        self.length += piece.len() as u64;
        self.pieces.push_back(piece);
    }
}

impl http_body::Body for KeptJson {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let piece = self.pieces.pop_front();
        if let Some(piece) = &piece {
            self.length -= piece.len() as u64;
        }
        Poll::Ready(piece.map(|piece| Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.length)
    }
}

impl IntoResponse for KeptJson {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "application/json")],
            Body::new(self),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pieces_are_the_body_and_its_length() {
        let text: JsonText = serde_json::value::to_raw_value(&[1, 2]).unwrap().into();
        let mut json = KeptJson::default();
        json.push_str("{\"a\":");
        json.push_text(&text);
        json.push_str("}");
        let response = json.into_response();
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = response.into_body();
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(11));
        let bytes = axum::body::to_bytes(body, 100).await.unwrap();
        assert_eq!(&bytes[..], b"{\"a\":[1,2]}");
    }

    #[test]
    fn the_pieces_gzipped_are_the_body() {
        let text: JsonText = serde_json::value::to_raw_value(&[1, 2]).unwrap().into();
        let mut json = KeptJson::default();
        json.push_str("{\"a\":");
        json.push_text(&text);
        json.push_str("}");
        assert_eq!(json.len(), 11);
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&json.gzip()[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, "{\"a\":[1,2]}");
    }
}
