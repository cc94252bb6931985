//! Response bodies written as they are produced: a task sends the pieces into a channel
//! (bounded, so a slow client slows the producer instead of filling memory).

/// A stream of what `produce` sends into the channel it is given.
pub fn channel_stream<T, F, Fut>(capacity: usize, produce: F) -> impl futures_core::Stream<Item = T>
where
    T: Send + 'static,
    F: FnOnce(tokio::sync::mpsc::Sender<T>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(capacity);
    tokio::spawn(produce(sender));
    ReceiverStream(receiver)
}

/// A channel's receiver as a stream.
struct ReceiverStream<T>(tokio::sync::mpsc::Receiver<T>);

impl<T> futures_core::Stream for ReceiverStream<T> {
    type Item = T;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}
