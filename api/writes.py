"""Writes through the JSON API: the ledger's entries, their reversals and drawdown
requests. Each calls the same service as the pages (budgets.ledger), so every rule about
money holds and is audited; the body is read by the pages' own forms, so bad input gets
the same messages. Every write carries an `Idempotency-Key` header: a retry with the same
key and body returns the first result, the same key with another request is a 409.

What "the same request" means is kept in an IdempotencyRecord: the hash of the path and
the body's fields (canonical JSON: key order and spacing do not matter, values do). The
record is read before the body is validated, so a retry is answered with the first result
even when the request would now be refused (the expenditure it paid is paid in full)."""

import hashlib
import json
import uuid

from django.core.exceptions import ValidationError as ServiceRefusal
from django.db import IntegrityError, transaction
from rest_framework import exceptions, status
from rest_framework.response import Response

from api import serializers
from api.models import ApiToken, IdempotencyRecord
from budgets import ledger
from budgets.forms import DrawdownForm, EntryForm, ReverseForm
from budgets.kinds import KINDS
from budgets.models import DrawdownRequest, LedgerEntry
from budgets.selectors import open_obligations, unpaid_expenditures
from grants import access, selectors
from grants.audit import audit_via
from grants.lookups import get_or_404
from grants.models import Award
from reports import services as reports
from reports.models import ProgressDraft, ProgressReport
from reports.report_types import PROGRESS_REPORT

MAX_BODY_BYTES = 64 * 1024
# Keys are scoped to the person: uuid5(this, "<user id>:<header>"), so two people's keys
# never meet in the services' one table of keys.
KEY_NAMESPACE = uuid.UUID("6f1c2a52-3c1e-4f43-9a53-5f2b8d0e7a11")
REUSED_KEY = (
    "This Idempotency-Key was used before for a different request; "
    "send a new key with a new request."
)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The request body is larger than {MAX_BODY_BYTES // 1024} KB."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = REUSED_KEY


def scoped_entry(request, pk: int) -> LedgerEntry:
    awards = selectors.award_list_for_user(user=request.user)
    return get_or_404(
        LedgerEntry.objects.select_related("award", "actor").filter(award__in=awards), pk=pk
    )


def service_key(request) -> uuid.UUID:
    text = request.headers.get("Idempotency-Key", "")
    try:
        given = uuid.UUID(text.strip())
    except ValueError:
        what = "is missing" if not text else f"'{text[:60]}' is not a UUID"
        raise exceptions.ValidationError(
            {
                "Idempotency-Key": [
                    f"The Idempotency-Key header {what}: send a new UUID with each new "
                    "request, and the same one when retrying it."
                ]
            }
        ) from None
    return uuid.uuid5(KEY_NAMESPACE, f"{request.user.pk}:{given}")


def form_data(request, allowed: list[str]) -> dict:
    """The JSON object posted, as the form's text fields. Refuses a large body, fields the
    form does not have, and an amount that is not a string (a JSON number may lose cents)."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise exceptions.ParseError("The body is not JSON.") from None
    if not isinstance(body, dict):
        raise exceptions.ParseError("The body must be a JSON object of fields.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise exceptions.ValidationError(
            {
                name: [f"Unknown field: the fields here are {', '.join(allowed)}."]
                for name in unknown
            }
        )
    errors = {}
    data = {}
    for name, value in body.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, str):
            data[name] = value
        elif isinstance(value, int) and not isinstance(value, bool) and name != "amount":
            data[name] = str(value)
        elif isinstance(value, float) and value.is_integer() and name != "amount":
            data[name] = str(int(value))  # 3.0 is a whole number in JSON
        elif name == "amount":
            errors[name] = ['Send the amount as a string, such as "1250.00".']
        else:
            errors[name] = ["Send this field as a string."]
    if errors:
        raise exceptions.ValidationError(errors)
    return data


def cleaned(form) -> dict:
    if not form.is_valid():
        raise exceptions.ValidationError({k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data


def request_hash(request, data: dict) -> str:
    """SHA-256 of the canonical JSON of the path and the body's fields."""
    canonical = json.dumps(
        {"path": request.path, "body": data},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_type(model) -> str:
    return model._meta.label_lower


def earlier_result(key: uuid.UUID, digest: str, model):
    """What the first request with this key made, if there was one with the same hash;
    a key used for another request (another body, path or kind of record) is a 409."""
    record = IdempotencyRecord.objects.filter(key=key).first()
    if record is None:
        return None
    if record.request_hash != digest or record.record_type != record_type(model):
        raise Conflict()
    return model.objects.get(pk=record.record_id)


def run(request, key: uuid.UUID, digest: str, model, call):
    """Take the key and call the service in one transaction, answering 201 for a new
    record. Another request with this key that took it first (a race: both found no
    record) makes the insert fail on the key: its result again if it was the same
    request, otherwise a 409, never a 500."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    try:
        with audit_via(f"API token '{token.name}'" if token else "API"):
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    key=key, user=request.user, request_hash=digest, record_type=record_type(model)
                )
                result = call()
                record.record_id = result.pk
                record.save(update_fields=["record_id"])
    except ledger.IdempotencyConflict:
        raise Conflict() from None
    except ServiceRefusal as refusal:
        errors = refusal.message_dict if hasattr(refusal, "error_dict") else {"": refusal.messages}
        raise exceptions.ValidationError(errors) from None
    except IntegrityError:
        found = earlier_result(key, digest, model)
        if found is not None:
            return found, status.HTTP_200_OK
        has_key = any(f.name == "idempotency_key" for f in model._meta.fields)
        if has_key and model.objects.filter(idempotency_key=key).exists():
            raise Conflict() from None
        raise
    return result, status.HTTP_201_CREATED


def replay(request, key: uuid.UUID, digest: str, model, serializer) -> Response | None:
    found = earlier_result(key, digest, model)
    return None if found is None else Response(serializer(found).data, status=status.HTTP_200_OK)


def record_entry(request, award: Award) -> Response:
    access.require(
        access.can_record_spending(request.user, award),
        "Only the task force's finance officers record spending.",
    )
    key = service_key(request)
    kinds = list(ledger.RECORDABLE_KINDS)
    data = form_data(request, ["kind", *sorted({f for k in kinds for f in KINDS[k].form_fields})])
    digest = request_hash(request, data)
    if again := replay(request, key, digest, LedgerEntry, serializers.LedgerEntryWrittenSerializer):
        return again
    kind = data.pop("kind", "")
    if kind not in kinds:
        raise exceptions.ValidationError({"kind": [f"Choose one of: {', '.join(kinds)}."]})
    declared = set(KINDS[kind].form_fields)
    extra = sorted(set(data) - declared)
    if extra:
        raise exceptions.ValidationError(
            {
                name: [f"A {kind} has no such field: its fields are {', '.join(sorted(declared))}."]
                for name in extra
            }
        )
    form = EntryForm(
        {**data, "idempotency_key": str(key)},
        kind=kind,
        obligations=open_obligations(award=award),
        expenditures=unpaid_expenditures(award=award),
    )
    fields = cleaned(form)
    entry, code = run(
        request,
        key,
        digest,
        LedgerEntry,
        lambda: ledger.entry_post(
            actor=request.user,
            award=award,
            kind=kind,
            amount=fields["amount"],
            effective_date=fields["effective_date"],
            idempotency_key=key,
            category=fields.get("category", ""),
            share=fields.get("share") or LedgerEntry.Share.FEDERAL,
            memo=fields.get("memo", ""),
            paid_on=fields.get("paid_on"),
            obligation=fields.get("obligation"),
            expenditure=fields.get("expenditure"),
            in_kind_basis=fields.get("in_kind_basis", ""),
            in_kind_description=fields.get("in_kind_description", ""),
        ),
    )
    return Response(serializers.LedgerEntryWrittenSerializer(entry).data, status=code)


def reverse_entry(request, entry: LedgerEntry) -> Response:
    access.require(
        access.can_record_spending(request.user, entry.award),
        "Only the task force's finance officers reverse entries.",
    )
    key = service_key(request)
    data = form_data(request, ["reason"])
    digest = request_hash(request, data)
    if again := replay(request, key, digest, LedgerEntry, serializers.LedgerEntryWrittenSerializer):
        return again
    fields = cleaned(ReverseForm({**data, "idempotency_key": str(key)}))
    reversal, code = run(
        request,
        key,
        digest,
        LedgerEntry,
        lambda: ledger.entry_reverse(
            actor=request.user, entry=entry, reason=fields["reason"], idempotency_key=key
        ),
    )
    return Response(serializers.LedgerEntryWrittenSerializer(reversal).data, status=code)


def request_drawdown(request, award: Award) -> Response:
    access.require(
        access.can_record_spending(request.user, award),
        "Only the task force's finance officers request drawdowns.",
    )
    key = service_key(request)
    data = form_data(request, ["amount", "memo"])
    digest = request_hash(request, data)
    if again := replay(
        request, key, digest, DrawdownRequest, serializers.DrawdownRequestSerializer
    ):
        return again
    fields = cleaned(DrawdownForm({**data, "idempotency_key": str(key)}))
    drawdown, code = run(
        request,
        key,
        digest,
        DrawdownRequest,
        lambda: ledger.drawdown_request(
            actor=request.user,
            award=award,
            amount=fields["amount"],
            idempotency_key=key,
            memo=fields["memo"],
        ),
    )
    return Response(serializers.DrawdownRequestSerializer(drawdown).data, status=code)


def file_progress_report(request, award: Award, due) -> Response:
    """File (or file again, once returned) the progress report of a period through the
    page's form and service: a new report is submitted at once, as on the page."""
    access.require(PROGRESS_REPORT.may_file(request.user, award), PROGRESS_REPORT.refusal)
    key = service_key(request)
    form_class = PROGRESS_REPORT.form_class()
    data = form_data(request, list(form_class().fields))
    digest = request_hash(request, data)
    if again := replay(request, key, digest, ProgressReport, serializers.ProgressReportSerializer):
        return again
    form = form_class(data)
    cleaned(form)
    report, code = run(
        request,
        key,
        digest,
        ProgressReport,
        lambda: reports.progress_submit(
            actor=request.user,
            award=award,
            period_end=due.period_end,
            narrative=form.narrative(),
            measures=form.measures(),
        ),
    )
    return Response(serializers.ProgressReportSerializer(report).data, status=code)


def save_progress_draft(request, award: Award, due) -> Response:
    """Keep (replace) the draft of a period's progress report through the page's form,
    read as a draft: any field may be left out or null, a measure given must be a whole
    number. 201 when the draft is new, 200 when it replaced one; a retry with the same
    key answers the draft as it stands now, or 404 once its report has been filed."""
    access.require(PROGRESS_REPORT.may_file(request.user, award), PROGRESS_REPORT.refusal)
    key = service_key(request)
    form_class = PROGRESS_REPORT.form_class()
    data = form_data(request, list(form_class().fields))
    digest = request_hash(request, data)
    try:
        if again := replay(
            request, key, digest, ProgressDraft, serializers.ProgressDraftSerializer
        ):
            return again
    except ProgressDraft.DoesNotExist:
        raise exceptions.NotFound(
            "The draft this key saved is gone: its progress report has been filed."
        ) from None
    form = form_class(data, draft=True)
    cleaned(form)
    saved = {}

    def save():
        draft, saved["created"] = reports.progress_draft_save(
            actor=request.user, award=award, period_end=due.period_end, data=form.draft()
        )
        return draft

    draft, code = run(request, key, digest, ProgressDraft, save)
    if code == status.HTTP_201_CREATED and not saved["created"]:
        code = status.HTTP_200_OK
    return Response(serializers.ProgressDraftSerializer(draft).data, status=code)
