"""Match alerts: an enterprise asks to be told of new partners for a listing, or of new pages for
a search, by e-mail (double opt-in: nothing is sent before the address confirms, and every
message can unsubscribe) or by webhook (public addresses only, unless the operator allows
private ones). After each crawl run and each new listing, every alert gets the matches it has not
been sent before, as one digest at most per day, in its language.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import sqlite3
import urllib.error
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.safety import public_url_problem
from indexer.backends.base import SearchFilters
from matching.listing import is_email
from matching.matcher import Matcher, Subject
from matching.store import listings_db

DIGEST_EVERY = timedelta(days=1)
ALERT_MATCHES = 20  # looked at per digest; those sent before are left out
WEBHOOK_TIMEOUT_S = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert (
    id TEXT PRIMARY KEY,
    listing_id TEXT NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    email TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    lang TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    unsubscribe_token TEXT NOT NULL,  -- in every digest, so kept as it is: it can only stop this alert
    confirmed INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_digest_at TEXT
);
CREATE TABLE IF NOT EXISTS alert_sent (
    alert_id TEXT NOT NULL,
    match_key TEXT NOT NULL,
    PRIMARY KEY (alert_id, match_key)
) WITHOUT ROWID;
"""
TEXTS = {
    "confirm": {
        "en": ("Confirm your alert", "Open this link to start receiving new matches:\n{confirm}\n\n"
               "If you did not ask for this, ignore this message: nothing will be sent."),
        "zh": ("请确认您的提醒", "打开以下链接后开始接收新的匹配信息：\n{confirm}\n\n"
               "如果这不是您的请求，请忽略本邮件，我们不会再发送。"),
        "ja": ("アラートの確認", "新しいマッチングの通知を受け取るには、次のリンクを開いてください。\n{confirm}\n\n"
               "お心当たりのない場合は、このメールを無視してください。"),
    },
    "digest": {
        "en": ("{n} new matches", "New matches since the last message:\n\n{items}\n\nUnsubscribe: {unsubscribe}"),
        "zh": ("{n} 条新的匹配", "自上次通知以来的新匹配：\n\n{items}\n\n退订：{unsubscribe}"),
        "ja": ("新しいマッチング {n} 件", "前回以降の新しいマッチング：\n\n{items}\n\n配信停止：{unsubscribe}"),
    },
}


class AlertError(ValueError):
    """An alert cannot be made as asked; the message says why (in English; `reason` names it for
    the portal's forms, which word it in the reader's language)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    listing_id: str
    query: str
    filters: dict[str, object]
    email: str
    webhook_url: str
    lang: str
    confirmed: bool
    last_digest_at: datetime | None


@dataclass(frozen=True, slots=True)
class DigestReport:
    alerts: int  # digests sent
    matches: int  # new matches in them
    failed: int  # webhooks that refused or did not answer (tried again next time)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Alerts:
    def __init__(self, matcher: Matcher, allow_private_webhooks: bool = False) -> None:
        self.matcher = matcher
        self.listings = matcher.listings
        self.allow_private_webhooks = allow_private_webhooks
        self.path: Path = self.listings.store.path
        with listings_db(self.path, _SCHEMA):
            pass

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return listings_db(self.path)

    def create(self, *, listing_id: str = "", query: str = "", filters: dict[str, object] | None = None,
               email: str = "", webhook_url: str = "", lang: str = "en") -> tuple[Alert, str]:
        """A new alert and its token (for the confirmation and unsubscribe links). An e-mail alert
        waits for confirmation; a webhook alert is live at once."""
        if bool(listing_id) == bool(query.strip()):
            raise AlertError("give either listing_id or query")
        if listing_id and self.listings.get(listing_id) is None:
            raise AlertError(f"no listing {listing_id} is shown")
        if bool(email) == bool(webhook_url):
            raise AlertError("give either email or webhook_url")
        if email and not is_email(email):
            raise AlertError("email: is not an e-mail address", "not_email")
        if webhook_url and not self.allow_private_webhooks and (problem := public_url_problem(webhook_url)):
            raise AlertError(f"webhook_url: {webhook_url} is {problem}; alerts post only to public addresses")
        token = secrets.token_urlsafe(32)
        alert = Alert(secrets.token_hex(8), listing_id, query.strip(), filters or {}, email, webhook_url, lang,
                      not email, None)
        with self._db() as db:
            db.execute("INSERT INTO alert VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                       (alert.id, listing_id, alert.query, json.dumps(alert.filters), email, webhook_url, lang,
                        _hash(token), secrets.token_urlsafe(16), int(alert.confirmed), datetime.now(UTC).isoformat()))
        if email:
            subject, body = TEXTS["confirm"][lang]
            self.listings.outbox.put(email, subject, body.format(confirm=self._link(alert, token, "confirm")))
            self.listings.outbox.send_due()
        return alert, token

    def confirm(self, alert_id: str, token: str) -> bool:
        with self._db() as db:
            row = db.execute("SELECT token_hash FROM alert WHERE id = ?", (alert_id,)).fetchone()
            if row is None or not hmac.compare_digest(str(row[0]), _hash(token)):
                return False
            db.execute("UPDATE alert SET confirmed = 1 WHERE id = ?", (alert_id,))
            return True

    def unsubscribe(self, alert_id: str, token: str) -> bool:
        """With the alert's token, or the unsubscribe token every digest carries."""
        with self._db() as db:
            row = db.execute("SELECT token_hash, unsubscribe_token FROM alert WHERE id = ?", (alert_id,)).fetchone()
            if row is None or not (hmac.compare_digest(str(row[0]), _hash(token))
                                   or hmac.compare_digest(str(row[1]), token)):
                return False
            db.execute("DELETE FROM alert WHERE id = ?", (alert_id,))
            return True

    def _unsubscribe_token(self, alert_id: str) -> str:
        with self._db() as db:
            return str(db.execute("SELECT unsubscribe_token FROM alert WHERE id = ?", (alert_id,)).fetchone()[0])

    def all(self) -> list[Alert]:
        with self._db() as db:
            rows = db.execute("SELECT id, listing_id, query, filters, email, webhook_url, lang, confirmed, "
                              "last_digest_at FROM alert ORDER BY created_at").fetchall()
        return [Alert(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], bool(r[7]),
                      datetime.fromisoformat(r[8]) if r[8] else None) for r in rows]

    def send_digests(self, now: datetime | None = None) -> DigestReport:
        """Each confirmed alert not sent a digest in the last day gets its new matches."""
        now = now or datetime.now(UTC)
        sent = matches = failed = 0
        for alert in self.all():
            if not alert.confirmed or (alert.last_digest_at and now - alert.last_digest_at < DIGEST_EVERY):
                continue
            found = self._matches(alert)
            with self._db() as db:
                known = {r[0] for r in db.execute("SELECT match_key FROM alert_sent WHERE alert_id = ?", (alert.id,))}
            new = [(key, title, url) for key, title, url in found if key not in known]
            if not new:
                continue
            if not self._deliver(alert, new):
                failed += 1
                continue  # nothing recorded: the same matches go out next time
            with self._db() as db:
                db.executemany("INSERT OR IGNORE INTO alert_sent VALUES (?, ?)", [(alert.id, k) for k, _, _ in new])
                db.execute("UPDATE alert SET last_digest_at = ? WHERE id = ?", (now.isoformat(), alert.id))
            sent += 1
            matches += len(new)
        if sent:
            self.listings.outbox.send_due()  # at the time of sending: the digests were put after `now`
        return DigestReport(sent, matches, failed)

    def _matches(self, alert: Alert) -> list[tuple[str, str, str]]:
        if alert.listing_id:
            listing = self.listings.get(alert.listing_id)
            if listing is None:
                return []
            subject = Subject.of(listing)
            return [(m.url, m.title, m.url) for m in self.matcher.matches(subject, ALERT_MATCHES)]
        filters = SearchFilters(**{k: v for k, v in alert.filters.items()  # type: ignore[arg-type]
                                   if k in ("categories", "services", "langs", "groups", "sources", "sites")})
        hits = self.listings.engine.search.search(alert.query, filters=filters, size=ALERT_MATCHES).hits
        return [(h.document.url, h.document.title, h.document.url) for h in hits]

    def _deliver(self, alert: Alert, new: list[tuple[str, str, str]]) -> bool:
        if alert.webhook_url:
            payload = json.dumps({"alert": alert.id, "matches": [{"title": t, "url": u} for _, t, u in new]},
                                 ensure_ascii=False).encode("utf-8")
            request = urllib.request.Request(alert.webhook_url, data=payload, method="POST",
                                             headers={"Content-Type": "application/json"})
            try:  # a public URL, checked when the alert was made
                with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as answer:
                    return 200 <= answer.status < 300
            except (urllib.error.URLError, OSError):
                return False
        subject, body = TEXTS["digest"][alert.lang]
        items = "\n\n".join(f"{title}\n{url}" for _, title, url in new)
        self.listings.outbox.put(alert.email, subject.format(n=len(new)),
                                 body.format(items=items, unsubscribe=self._link(
                                     alert, self._unsubscribe_token(alert.id), "unsubscribe")))
        return True

    def _link(self, alert: Alert, token: str, action: str) -> str:
        return f"{self.listings.base_url}/api/alerts/{alert.id}/{action}?token={token}"


def alerts_waiting(listings_db: Path) -> bool:
    """Whether any confirmed alert exists, read without building the engine (a crawl run calls
    this before paying for the analyser and the index)."""
    if not listings_db.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{listings_db}?mode=ro", uri=True, timeout=30)) as db:
            return bool(db.execute("SELECT 1 FROM alert WHERE confirmed = 1 LIMIT 1").fetchone())
    except sqlite3.OperationalError:  # no alert table yet
        return False
