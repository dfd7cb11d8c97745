"""Mail to listing owners: an outbox in the listings database, sent through SMTP with back-off.

A message is written to the outbox before any attempt to send it, so an SMTP server that is down
or refuses loses nothing: the message waits, each failure doubles the wait (one minute up to six
hours), and every send (after a new message, or `smesearch listings send-mail`) tries the due
ones again. A message is marked sent only once the server accepted it.
"""

from __future__ import annotations

import contextlib
import smtplib
import sqlite3
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from matching.store import listings_db

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
SMTP_TIMEOUT_S = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    to_addr TEXT NOT NULL,
    reply_to TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, next_attempt_at);
"""


@dataclass(frozen=True, slots=True)
class SendReport:
    sent: int
    waiting: int  # still in the outbox: not due yet, or failed this time
    error: str = ""  # the last failure, for the operator


class Outbox:
    def __init__(self, path: Path, smtp_url: str, sender: str) -> None:
        self.path = path
        self.smtp_url = smtp_url
        self.sender = sender
        with listings_db(path, _SCHEMA):
            pass

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return listings_db(self.path)

    def put(self, to_addr: str, subject: str, body: str, reply_to: str = "", now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        with self._db() as db:
            cursor = db.execute("INSERT INTO outbox (to_addr, reply_to, subject, body, created_at, next_attempt_at) "
                                "VALUES (?, ?, ?, ?, ?, ?)",
                                (to_addr, reply_to, subject, body, now.isoformat(), now.isoformat()))
            return int(cursor.lastrowid or 0)

    def send_due(self, now: datetime | None = None) -> SendReport:
        """Send every message that is due; a failure leaves it (and the rest) for later."""
        now = now or datetime.now(UTC)
        with self._db() as db:
            due = db.execute("SELECT id, to_addr, reply_to, subject, body, attempts FROM outbox "
                             "WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id",
                             (now.isoformat(),)).fetchall()
        if not due:
            return SendReport(0, self.waiting())
        if not self.smtp_url:
            return SendReport(0, self.waiting(), "no SMTP server is set (SMESEARCH_SMTP_URL)")
        sent, error = 0, ""
        try:
            with self._connect() as smtp:
                for message_id, to_addr, reply_to, subject, body, _ in due:
                    smtp.send_message(self._message(to_addr, reply_to, subject, body))
                    with self._db() as db:
                        db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                                   (now.isoformat(), message_id))
                    sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            with self._db() as db:
                for message_id, *_rest, attempts in due[sent:]:
                    wait = min(LAST_RETRY, FIRST_RETRY * 2 ** attempts)
                    db.execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
                               "WHERE id = ?", ((now + wait).isoformat(), error, message_id))
        return SendReport(sent, self.waiting(), error)

    def written_by(self, reply_to: str, since: datetime) -> int:
        """Messages relayed for this address since then (the interest limit counts them)."""
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM outbox WHERE reply_to = ? AND created_at >= ?",
                                  (reply_to, since.isoformat())).fetchone()[0])

    def waiting(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])

    def _message(self, to_addr: str, reply_to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to_addr
        if reply_to:
            message["Reply-To"] = reply_to
        message["Subject"] = subject
        message.set_content(body)
        return message

    def _connect(self) -> smtplib.SMTP:
        url = urlsplit(self.smtp_url)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise smtplib.SMTPException(f"SMESEARCH_SMTP_URL must be smtp://host:port or smtps://host:port, "
                                        f"got {url.scheme}://...")
        if url.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(url.hostname, url.port or 465, timeout=SMTP_TIMEOUT_S,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(url.hostname, url.port or 25, timeout=SMTP_TIMEOUT_S)
            if (url.port or 25) == 587:
                smtp.starttls(context=ssl.create_default_context())
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        return smtp
