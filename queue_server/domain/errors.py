"""Refusals with a reason: each has a stable code the API turns into a message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command the rules refuse; `code` names the reason, `params` fill its message."""

    code = "domain_error"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(f"{self.code}: {params}")


class OfficeClosed(DomainError):
    code = "office_closed"


class ServiceClosed(DomainError):
    code = "service_closed"


class PastLastTicket(DomainError):
    code = "past_last_ticket"


class QuotaReached(DomainError):
    code = "quota_reached"


class NikRequired(DomainError):
    """The office caps tickets per person, so a NIK is needed to take one."""

    code = "nik_required"


class PersonCapReached(DomainError):
    code = "person_cap_reached"


class PhoneRequired(DomainError):
    """A ticket taken from afar needs a phone number: the turn-near message is how the visitor
    knows when to come."""

    code = "phone_required"


class ConsentRequired(DomainError):
    """A ticket taken from afar needs consent to the messages that make it work."""

    code = "consent_required"


class PhoneCapReached(DomainError):
    code = "phone_cap_reached"


class PriorityInPerson(DomainError):
    """The priority lane (UU 25/2009 art. 29) is given to people at the office, not from afar."""

    code = "priority_in_person"


class ServiceInactive(DomainError):
    code = "service_inactive"


class ServiceDisrupted(DomainError):
    """The service is disrupted and the office takes phone numbers for a callback instead of
    giving tickets (CallbackMode.INSTEAD)."""

    code = "service_disrupted"


class RemoteNotAllowed(DomainError):
    code = "remote_not_allowed"


class UnknownService(DomainError):
    code = "unknown_service"


class UnknownCounter(DomainError):
    code = "unknown_counter"


class UnknownTicket(DomainError):
    code = "unknown_ticket"


class CounterNotOpen(DomainError):
    code = "counter_not_open"


class NotSignedIn(DomainError):
    """The acting officer is not the one signed in at that counter."""

    code = "not_signed_in"


class CounterTaken(DomainError):
    """Another officer is signed in at that counter."""

    code = "counter_taken"


class CounterBusy(DomainError):
    code = "counter_busy"


class SameService(DomainError):
    code = "same_service"


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, current: str, target: str, **params: Any) -> None:
        super().__init__(current=current, target=target, **params)
        self.current = current
        self.target = target
