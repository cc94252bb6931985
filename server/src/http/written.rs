//! Answers written once from values the services keep for a catalog version (an impact
//! analysis, a facet's counts) and sent again as the same bytes while those values are
//! kept. An answer goes with the values it was written from (the catalog changed, or
//! the service let them go) or when newer answers need the room.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use axum::body::Bytes;

/// Answers, each with the values it was written from, newest last.
pub struct Written<T: ?Sized> {
    max_bytes: usize,
    answers: Mutex<Vec<(Vec<Weak<T>>, Bytes)>>,
}

impl<T: ?Sized> Written<T> {
    /// Keeping at most `max_bytes` of answers.
    pub const fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            answers: Mutex::new(Vec::new()),
        }
    }

    /// The answer written from `from` (these values, in this order): the one kept, or
    /// `write`'s, kept when `keep` (when the service keeps `from`: an answer written
    /// from values made for one request would only take the room).
    pub fn get_or_write(
        &self,
        from: &[Arc<T>],
        keep: bool,
        write: impl FnOnce() -> Vec<u8>,
    ) -> Bytes {
        {
            let mut answers = self.lock();
            answers.retain(|(sources, _)| sources.iter().all(|s| s.strong_count() > 0));
            if let Some(kept) = find(&answers, from) {
                return kept;
            }
        }
        let bytes = Bytes::from(write());
        if keep && bytes.len() <= self.max_bytes {
            let mut answers = self.lock();
            if let Some(first) = find(&answers, from) {
                return first; // written meanwhile for another request
            }
            let mut total: usize = answers.iter().map(|(_, b)| b.len()).sum();
            while total + bytes.len() > self.max_bytes {
                total -= answers.remove(0).1.len();
            }
            answers.push((from.iter().map(Arc::downgrade).collect(), bytes.clone()));
        }
        bytes
    }

    /// Whether an answer written from `from` is kept.
    #[cfg(test)]
    pub fn holds(&self, from: &[Weak<T>]) -> bool {
        let from: Vec<*const T> = from.iter().map(Weak::as_ptr).collect();
        self.lock().iter().any(|(sources, _)| same(sources, &from))
    }

    /// The answers, also after a thread panicked holding them (every change leaves
    /// them whole).
    fn lock(&self) -> MutexGuard<'_, Vec<(Vec<Weak<T>>, Bytes)>> {
        self.answers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The answer written from `from`.
fn find<T: ?Sized>(answers: &[(Vec<Weak<T>>, Bytes)], from: &[Arc<T>]) -> Option<Bytes> {
    let from: Vec<*const T> = from.iter().map(Arc::as_ptr).collect();
    answers
        .iter()
        .find(|(sources, _)| same(sources, &from))
        .map(|(_, bytes)| bytes.clone())
}

/// Whether `sources` are the values at `from`, in this order. A `Weak` keeps its value's
/// allocation, so no other value can be at the address of one that went.
fn same<T: ?Sized>(sources: &[Weak<T>], from: &[*const T]) -> bool {
    sources.len() == from.len()
        && sources
            .iter()
            .zip(from)
            .all(|(source, &at)| std::ptr::addr_eq(source.as_ptr(), at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_written_once_while_its_values_are_kept() {
        let written: Written<str> = Written::new(100);
        let (a, b): (Arc<str>, Arc<str>) = ("a".into(), "b".into());
        let first = written.get_or_write(&[a.clone(), b.clone()], true, || b"ab".to_vec());
        let again = written.get_or_write(&[a.clone(), b.clone()], true, || unreachable!());
        assert_eq!(first.as_ptr(), again.as_ptr(), "sent as the same bytes");
        // Other values, or the same in another order, are another answer.
        let other = written.get_or_write(&[b.clone(), a.clone()], true, || b"ba".to_vec());
        assert_eq!(&other[..], b"ba");

        // Not kept when asked not to.
        let alone: Arc<str> = "alone".into();
        written.get_or_write(std::slice::from_ref(&alone), false, || b"x".to_vec());
        assert!(!written.holds(&[Arc::downgrade(&alone)]));

        // An answer goes with one of its values.
        let (weak_a, weak_b) = (Arc::downgrade(&a), Arc::downgrade(&b));
        assert!(written.holds(&[weak_a.clone(), weak_b.clone()]));
        drop(a);
        written.get_or_write(std::slice::from_ref(&b), true, || b"b".to_vec());
        assert!(!written.holds(&[weak_a, weak_b]));
    }

    #[test]
    fn the_oldest_answers_make_room_and_a_too_large_one_is_not_kept() {
        let written: Written<str> = Written::new(10);
        let values: Vec<Arc<str>> = (0..3).map(|i| Arc::from(i.to_string())).collect();
        for value in &values {
            written.get_or_write(std::slice::from_ref(value), true, || vec![0; 4]);
        }
        let held = |value: &Arc<str>| written.holds(&[Arc::downgrade(value)]);
        assert!(!held(&values[0]) && held(&values[1]) && held(&values[2]));
        let large: Arc<str> = "large".into();
        written.get_or_write(std::slice::from_ref(&large), true, || vec![0; 11]);
        assert!(!held(&large) && held(&values[1]));
    }
}
