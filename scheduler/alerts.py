"""Alerts on sources: runs that fail N times in a row, or a page count that falls by more than
half between runs. Each is recorded (the console shows it) and posted to the configured webhook.

The webhook is an operator's URL, but a scheduler posting to private addresses is how an
attacker who edits settings reaches internal services: those are refused unless allowed.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from config.settings import Settings
from crawler.safety import resolved_reason
from scheduler.store import Alert, Run, RunStore

log = logging.getLogger("smesearch.scheduler")
WEBHOOK_TIMEOUT_S = 10


class WebhookError(ValueError):
    """A webhook URL we will not post to; the message says why."""


def check_webhook_url(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"the alert webhook must be an http(s) URL, not {url!r}")
    if allow_private:
        return
    try:
        reason = resolved_reason(parts.hostname, parts.port or 443)
    except OSError as exc:
        raise WebhookError(f"the alert webhook's host {parts.hostname} does not resolve: {exc}") from None
    if reason:
        raise WebhookError(f"the alert webhook {url} is {reason}; set SMESEARCH_ALERT_WEBHOOK_ALLOW_PRIVATE=true "
                           "to post there")


def check_alerts(settings: Settings, store: RunStore, run: Run) -> list[Alert]:
    """After a run ends: raise the alerts it calls for."""
    raised = []
    recent = store.find(source=run.source, limit=max(settings.alert_failures, 2) + 5)
    finished = [r for r in recent if r.status in ("succeeded", "failed")]
    streak = 0
    for r in finished:
        if r.status != "failed":
            break
        streak += 1
    if run.status == "failed" and streak == settings.alert_failures:
        raised.append(store.add_alert(run.source, "failures",
                                      f"{run.source}: the last {streak} runs failed; the latest: {run.error}", run.id))
    succeeded = [r for r in finished if r.status == "succeeded" and r.documents is not None]
    if run.status == "succeeded" and len(succeeded) >= 2 and succeeded[0].id == run.id:
        before, after = succeeded[1].documents or 0, run.documents or 0
        if before > 0 and after < before / 2:
            raised.append(store.add_alert(run.source, "page_drop",
                                          f"{run.source}: pages in the index fell from {before} to {after}", run.id))
    for alert in raised:
        log.warning("alert: %s", alert.message)
        deliver(settings, store, alert)
    return raised


def deliver(settings: Settings, store: RunStore, alert: Alert) -> None:
    url = settings.alert_webhook_url
    if not url:
        return
    try:
        check_webhook_url(url, settings.alert_webhook_allow_private)
        body = json.dumps({"source": alert.source, "kind": alert.kind, "text": alert.message, "run_id": alert.run_id,
                           "created_at": alert.created_at.isoformat()}, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "smesearch"})
        opener = urllib.request.build_opener(_NoRedirects)  # a redirect could lead to a private address
        with opener.open(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            response.read(1024)
        store.mark_delivered(alert.id, None)
    except (WebhookError, OSError, urllib.error.URLError) as exc:
        log.warning("alert %s not delivered: %s", alert.id, exc)
        store.mark_delivered(alert.id, str(exc))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
