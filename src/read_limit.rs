//! Reading a whole small file (config, OPML) that may turn out to be endless: `/dev/zero`, a
//! FIFO fed forever, or one nobody ever writes to. Each read has a size cap and a deadline.

use crate::feed::fetch::human_bytes;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

/// The most akhbar reads of a config file; real ones are a few KiB.
pub const CONFIG_LIMIT: u64 = 1024 * 1024;

/// The most akhbar reads of an OPML file; exports of thousands of feeds stay under 2 MiB.
pub const OPML_LIMIT: u64 = 16 * 1024 * 1024;

/// How long a read may take. A disk answers in milliseconds; this only ever ends a read from
/// a FIFO or device that is never done.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The bytes of the file at `path`, refused when it holds more than `limit` bytes or is not
/// read within [`DEADLINE`]. `what` names the kind of file in the message ("a config file").
pub fn read(path: &Path, limit: u64, what: &'static str) -> io::Result<Vec<u8>> {
    read_within(path, limit, what, DEADLINE)
}

/// [`read`] with the deadline given.
fn read_within(
    path: &Path,
    limit: u64,
    what: &'static str,
    deadline: Duration,
) -> io::Result<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    let owned = path.to_owned();
    // Opening a FIFO blocks until a writer comes, so the open happens on the thread too. A
    // thread still blocked at the deadline is left behind: the process is about to report
    // the error and end.
    std::thread::Builder::new()
        .name("read-limit".into())
        .spawn(move || {
            let _ = sender.send(read_capped(&owned, limit));
        })?;
    let bytes = match receiver.recv_timeout(deadline) {
        Ok(result) => result?,
        Err(_) => {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "not read within {} (a pipe nobody writes to?)",
                    humantime::format_duration(deadline)
                ),
            ));
        }
    };
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than {}, the most akhbar reads of {what}",
                human_bytes(limit)
            ),
        ));
    }
    Ok(bytes)
}

/// Up to `limit + 1` bytes: one more than allowed is enough to know the file is too big.
fn read_capped(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "x".repeat(100)).unwrap();
        assert_eq!(read(&path, 100, "a test file").unwrap().len(), 100);
        let error = read(&path, 99, "a test file").unwrap_err();
        assert_eq!(
            error.to_string(),
            "larger than 99 bytes, the most akhbar reads of a test file"
        );
        let missing = read(&dir.path().join("missing"), 100, "a test file").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn endless_devices_stop_at_the_cap() {
        let error = read(Path::new("/dev/zero"), CONFIG_LIMIT, "a config file").unwrap_err();
        assert_eq!(
            error.to_string(),
            "larger than 1 MiB, the most akhbar reads of a config file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_nobody_writes_to_ends_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read_within(&fifo, 100, "a test file", Duration::from_millis(200)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(
            error.to_string(),
            "not read within 200ms (a pipe nobody writes to?)"
        );
    }
}
