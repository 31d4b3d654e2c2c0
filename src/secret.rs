//! Passwords a command prints (`password_command`): run without a shell, with a time limit,
//! their stdout's first line taken and never shown, logged or written anywhere.

use crate::text::sanitize::{clean_line, escape_controls};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// How long a password command may take: enough for an agent to unlock a key.
pub const PASSWORD_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Output read from the command, at most: a password store's entry, not a stream.
const OUTPUT_LIMIT: u64 = 64 * 1024;

/// Longest part of the command's stderr quoted in an error.
const QUOTED_CHARS: usize = 200;

/// A password: its `Debug` says nothing of it.
pub struct Password(Vec<u8>);

impl Password {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(hidden)")
    }
}

/// Why a password command gave no password, in one line that names the program and never
/// holds what it printed on stdout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password_command: cannot run `{program}`: {reason}")]
    Spawn { program: String, reason: String },
    #[error("password_command `{program}` failed ({status}){}", quote(.stderr))]
    Failed {
        program: String,
        status: String,
        /// Its last line on stderr, cleaned.
        stderr: String,
    },
    #[error("password_command `{program}` gave no password within {}", humantime::format_duration(*.timeout))]
    Timeout { program: String, timeout: Duration },
    #[error("password_command `{program}` printed no password")]
    Empty { program: String },
}

fn quote(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Runs `command` (a program and its arguments) with no stdin and no shell, and returns the
/// first line of its stdout. The child is killed if it outlasts `timeout`.
pub async fn run_password_command(
    command: &[String],
    timeout: Duration,
) -> Result<Password, PasswordError> {
    let Some((program, args)) = command.split_first() else {
        return Err(PasswordError::Empty {
            program: String::new(),
        });
    };
    let shown = escape_controls(program).into_owned();
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Captured, never passed through: the screen belongs to the ticker.
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| PasswordError::Spawn {
            program: shown.clone(),
            reason: match error.kind() {
                std::io::ErrorKind::NotFound => "no such program".to_owned(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                _ => clean_line(&error.to_string()),
            },
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let finished = async {
        let (out, err, status) =
            tokio::join!(read_capped(stdout), read_capped(stderr), child.wait());
        (out, err, status)
    };
    let Ok((out, err, status)) = tokio::time::timeout(timeout, finished).await else {
        // Dropping the child kills it (`kill_on_drop`).
        return Err(PasswordError::Timeout {
            program: shown,
            timeout,
        });
    };
    let first_line = first_line(out);
    let status = status.map_err(|error| PasswordError::Spawn {
        program: shown.clone(),
        reason: clean_line(&error.to_string()),
    })?;
    if !status.success() {
        let stderr = last_line(&err);
        // A script that echoes what it read is not quoted.
        let stderr = if !first_line.is_empty() && contains(stderr.as_bytes(), &first_line) {
            String::new()
        } else {
            stderr
        };
        return Err(PasswordError::Failed {
            program: shown,
            status: status.to_string(),
            stderr,
        });
    }
    if first_line.is_empty() {
        return Err(PasswordError::Empty { program: shown });
    }
    Ok(Password(first_line))
}

async fn read_capped(stream: Option<impl AsyncRead + Unpin>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(stream) = stream {
        // A read error leaves what was read; the exit status says the rest.
        let _ = stream.take(OUTPUT_LIMIT).read_to_end(&mut bytes).await;
    }
    bytes
}

/// The first line, without its line ending.
fn first_line(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some(end) = bytes.iter().position(|&b| b == b'\n') {
        bytes.truncate(end);
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    bytes
}

/// The last non-blank line of `bytes`, cleaned of controls and cut short.
fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let line = clean_line(line);
    match line.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[tokio::test]
    async fn the_first_line_of_stdout_is_the_password() {
        let password = run_password_command(
            &sh("printf 'p4ss word\\r\\nuser: me\\n'"),
            PASSWORD_COMMAND_TIMEOUT,
        )
        .await
        .unwrap();
        assert_eq!(password.as_bytes(), b"p4ss word");
        assert_eq!(format!("{password:?}"), "Password(hidden)");
    }

    #[tokio::test]
    async fn failures_name_the_program_and_never_hold_the_password() {
        let failed = run_password_command(
            &sh("echo s3cret; echo 'gpg: decryption failed' >&2; exit 2"),
            PASSWORD_COMMAND_TIMEOUT,
        )
        .await
        .unwrap_err()
        .to_string();
        assert_eq!(
            failed,
            "password_command `sh` failed (exit status: 2): gpg: decryption failed"
        );
        let echoed = run_password_command(
            &sh("echo s3cret; echo s3cret >&2; exit 1"),
            PASSWORD_COMMAND_TIMEOUT,
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(!echoed.contains("s3cret"), "{echoed}");
        assert_eq!(
            run_password_command(&sh("true"), PASSWORD_COMMAND_TIMEOUT)
                .await
                .unwrap_err()
                .to_string(),
            "password_command `sh` printed no password"
        );
        assert_eq!(
            run_password_command(
                &["/nonexistent/akhbar-pass".to_owned()],
                PASSWORD_COMMAND_TIMEOUT
            )
            .await
            .unwrap_err()
            .to_string(),
            "password_command: cannot run `/nonexistent/akhbar-pass`: no such program"
        );
    }

    #[tokio::test]
    async fn a_command_that_hangs_is_stopped() {
        let error = run_password_command(&sh("sleep 30"), Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(matches!(error, PasswordError::Timeout { .. }), "{error}");
        assert_eq!(
            error.to_string(),
            "password_command `sh` gave no password within 200ms"
        );
    }
}
