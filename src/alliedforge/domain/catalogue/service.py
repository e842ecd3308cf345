"""The catalogue: every role reads weapon systems, items, qualifications and components,
as far as their labels allow; only the agency (planner or admin) changes them.

The write helpers at the end (`require_role`, `label_for`, `writable`, `created`,
`changed`, `deleted`) are shared by the industry and demand services: every write checks
the role, the label, the version the change is based on, and appends to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.audit import service as audit
from alliedforge.domain.catalogue import repository
from alliedforge.domain.catalogue.models import (
    Component,
    Item,
    Qualification,
    QualificationStatus,
    WeaponSystem,
)
from alliedforge.domain.catalogue.schemas import (
    ComponentCreate,
    ComponentRead,
    ComponentUpdate,
    ItemCreate,
    ItemFilter,
    ItemRead,
    ItemUpdate,
    QualificationCreate,
    QualificationFilter,
    QualificationRead,
    QualificationUpdate,
    WeaponSystemCreate,
    WeaponSystemRead,
    WeaponSystemUpdate,
)
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.requirements.schemas import LabelIn
from alliedforge.scenario.nsn import normalise_nsn
from alliedforge.store.base import Record

Row = TypeVar("Row")
Read = TypeVar("Read")
Written = TypeVar("Written", bound=Record)

AGENCY = frozenset({Role.ADMIN, Role.PLANNER})


def label_of(record: Record) -> dict[str, Any]:
    """The record's label in its STANAG 4774 JSON form."""
    return Label.parse(record.classification, record.releasable_to).as_stanag_4774()


def page_from(
    rows: Sequence[Row], page: PageRequest, read: Callable[[Row], Read], key: Callable[[Read], int]
) -> Page[Read]:
    """The page of `rows` (fetched with one extra row) and where the next one starts."""
    items = [read(row) for row in rows[: page.limit]]
    return Page(items, key(items[-1]) if len(rows) > page.limit else None)


def found(row: Row | None, entity: str, row_id: int) -> Row:
    """The row, or `NotFoundError` when the caller may not see it (or it does not exist)."""
    if row is None:
        raise NotFoundError(entity, row_id)
    return row


def list_weapon_systems(
    session: Session, caller: Caller, page: PageRequest
) -> Page[WeaponSystemRead]:
    """One page of weapon systems, in id order."""
    rows = repository.weapon_system_rows(session, caller, page)
    return page_from(rows, page, weapon_system_read, lambda read: read.id)


def get_weapon_system(session: Session, caller: Caller, row_id: int) -> WeaponSystemRead:
    row = repository.find_weapon_system(session, caller, row_id)
    return weapon_system_read(found(row, "weapon system", row_id))


def list_items(
    session: Session, caller: Caller, filters: ItemFilter, page: PageRequest
) -> Page[ItemRead]:
    """One page of items matching `filters`, in id order."""
    rows = repository.item_rows(session, caller, filters, page)
    return page_from(rows, page, item_read, lambda read: read.id)


def get_item(session: Session, caller: Caller, row_id: int) -> ItemRead:
    return item_read(found(repository.find_item(session, caller, row_id), "item", row_id))


def list_qualifications(
    session: Session, caller: Caller, filters: QualificationFilter, page: PageRequest
) -> Page[QualificationRead]:
    """One page of qualifications matching `filters`, in id order."""
    rows = repository.qualification_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: qualification_read(*row), lambda read: read.id)


def get_qualification(session: Session, caller: Caller, row_id: int) -> QualificationRead:
    row = repository.find_qualification(session, caller, row_id)
    return qualification_read(*found(row, "qualification", row_id))


def list_components(session: Session, caller: Caller, page: PageRequest) -> Page[ComponentRead]:
    """One page of components, in id order."""
    rows = repository.component_rows(session, caller, page)
    return page_from(rows, page, _component, lambda read: read.id)


def get_component(session: Session, caller: Caller, row_id: int) -> ComponentRead:
    row = repository.find_component(session, caller, row_id)
    return _component(found(row, "component", row_id))


def weapon_system_read(row: WeaponSystem) -> WeaponSystemRead:
    return WeaponSystemRead(
        id=row.id,
        code=row.code,
        name=row.name,
        calibre=row.calibre,
        version=row.version,
        label=label_of(row),
    )


def item_read(row: Item) -> ItemRead:
    return ItemRead(
        id=row.id,
        code=row.code,
        name=row.name,
        supply_class=row.supply_class,
        family=row.family,
        stanag=row.stanag,
        version=row.version,
        label=label_of(row),
    )


def qualification_read(row: Qualification, item: Item, weapon_system: str) -> QualificationRead:
    return QualificationRead(
        id=row.id,
        item=item.code,
        weapon_system=weapon_system,
        status=QualificationStatus(row.status),
        month=row.month,
        evidence=row.evidence,
        version=row.version,
        label=label_of(row),
    )


def _component(row: Component) -> ComponentRead:
    return ComponentRead(
        id=row.id, code=row.code, name=row.name, version=row.version, label=label_of(row)
    )


# Writing the catalogue: the agency only.


def create_weapon_system(
    session: Session, caller: Caller, data: WeaponSystemCreate
) -> WeaponSystemRead:
    """A new weapon system (its code must be new)."""
    require_role(caller, AGENCY, "the catalogue")
    if repository.taken(session, WeaponSystem.code == data.code):
        raise InvalidError("code", data.code, "a weapon system with this code exists")
    row = WeaponSystem(code=data.code, name=data.name, calibre=data.calibre)
    created(session, caller, "weapon system", row, data.label)
    return get_weapon_system(session, caller, row.id)


def update_weapon_system(
    session: Session,
    caller: Caller,
    row_id: int,
    data: WeaponSystemUpdate,
    expected_version: int,
) -> WeaponSystemRead:
    """Change the given fields of a weapon system."""
    row = _agency_writable(
        session, caller, repository.find_weapon_system, "weapon system", row_id, expected_version
    )
    changes = given(row, data, "name", "calibre")
    changed(session, caller, "weapon system", row, changes, data.label, expected_version)
    return get_weapon_system(session, caller, row_id)


def delete_weapon_system(
    session: Session, caller: Caller, row_id: int, expected_version: int
) -> None:
    """Remove a weapon system nothing refers to (requirements, fleets, qualifications …)."""
    row = _agency_writable(
        session, caller, repository.find_weapon_system, "weapon system", row_id, expected_version
    )
    deleted(session, caller, "weapon system", row, expected_version)


def create_item(session: Session, caller: Caller, data: ItemCreate) -> ItemRead:
    """A new item (its code, NSN or other, must be new)."""
    require_role(caller, AGENCY, "the catalogue")
    nsn = normalise_nsn(data.code)
    key = Item.nsn == nsn if nsn is not None else Item.other_code == data.code
    if repository.taken(session, key):
        raise InvalidError("code", data.code, "an item with this code exists")
    row = Item(name=data.name, family=data.family, stanag=data.stanag)
    row.code = data.code
    created(session, caller, "item", row, data.label)
    return get_item(session, caller, row.id)


def update_item(
    session: Session, caller: Caller, row_id: int, data: ItemUpdate, expected_version: int
) -> ItemRead:
    """Change the given fields of an item."""
    row = _agency_writable(session, caller, repository.find_item, "item", row_id, expected_version)
    changes = given(row, data, "name", "family", "stanag")
    changed(session, caller, "item", row, changes, data.label, expected_version)
    return get_item(session, caller, row_id)


def delete_item(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove an item nothing refers to (lines, prices, qualifications, bills of material)."""
    row = _agency_writable(session, caller, repository.find_item, "item", row_id, expected_version)
    deleted(session, caller, "item", row, expected_version)


def create_component(session: Session, caller: Caller, data: ComponentCreate) -> ComponentRead:
    """A new shared component (its code must be new)."""
    require_role(caller, AGENCY, "the catalogue")
    if repository.taken(session, Component.code == data.code):
        raise InvalidError("code", data.code, "a component with this code exists")
    row = Component(code=data.code, name=data.name)
    created(session, caller, "component", row, data.label)
    return get_component(session, caller, row.id)


def update_component(
    session: Session, caller: Caller, row_id: int, data: ComponentUpdate, expected_version: int
) -> ComponentRead:
    """Change the given fields of a component."""
    row = _agency_writable(
        session, caller, repository.find_component, "component", row_id, expected_version
    )
    changed(
        session, caller, "component", row, given(row, data, "name"), data.label, expected_version
    )
    return get_component(session, caller, row_id)


def delete_component(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a component nothing refers to (bills of material, component supply)."""
    row = _agency_writable(
        session, caller, repository.find_component, "component", row_id, expected_version
    )
    deleted(session, caller, "component", row, expected_version)


def create_qualification(
    session: Session, caller: Caller, data: QualificationCreate
) -> QualificationRead:
    """Qualify (or plan to qualify) an item on a weapon system; one row per pair."""
    require_role(caller, AGENCY, "the catalogue")
    item = item_for(session, caller, data.item)
    weapon_system = weapon_system_for(session, caller, data.weapon_system)
    pair = (Qualification.item_id == item.id, Qualification.weapon_system_id == weapon_system.id)
    if repository.taken(session, *pair):
        raise InvalidError(
            "item", data.item, f"it already has a qualification on {weapon_system.code}"
        )
    row = Qualification(
        item_id=item.id,
        weapon_system_id=weapon_system.id,
        status=data.status,
        month=data.month,
        evidence=data.evidence,
    )
    created(session, caller, "qualification", row, data.label)
    return get_qualification(session, caller, row.id)


def update_qualification(
    session: Session,
    caller: Caller,
    row_id: int,
    data: QualificationUpdate,
    expected_version: int,
) -> QualificationRead:
    """Change the status, month, evidence or label of a qualification."""
    found_row = found(
        repository.find_qualification(session, caller, row_id), "qualification", row_id
    )
    require_role(caller, AGENCY, "the catalogue")
    row = writable(found_row[0], "qualification", expected_version)
    changes = given(row, data, "status", "month", "evidence")
    changed(session, caller, "qualification", row, changes, data.label, expected_version)
    return get_qualification(session, caller, row_id)


def delete_qualification(
    session: Session, caller: Caller, row_id: int, expected_version: int
) -> None:
    """Remove a qualification."""
    found_row = found(
        repository.find_qualification(session, caller, row_id), "qualification", row_id
    )
    require_role(caller, AGENCY, "the catalogue")
    deleted(
        session,
        caller,
        "qualification",
        writable(found_row[0], "qualification", expected_version),
        expected_version,
    )


def item_for(session: Session, caller: Caller, code: str, field: str = "item") -> Item:
    """The item a write names, or `InvalidError` on `field` (unknown and unreadable alike)."""
    item = repository.item_by_code(session, caller, code)
    if item is None:
        raise InvalidError(field, code, "no such item")
    return item


def weapon_system_for(
    session: Session, caller: Caller, code: str, field: str = "weapon_system"
) -> WeaponSystem:
    """The weapon system a write names, or `InvalidError` on `field`."""
    weapon_system = repository.weapon_system_by_code(session, caller, code)
    if weapon_system is None:
        raise InvalidError(field, code, "no such weapon system")
    return weapon_system


def _agency_writable(
    session: Session,
    caller: Caller,
    find: Callable[[Session, Caller, int], Written | None],
    entity: str,
    row_id: int,
    expected_version: int,
) -> Written:
    row = found(find(session, caller, row_id), entity, row_id)  # unseen: 404, not 403
    require_role(caller, AGENCY, "the catalogue")
    return writable(row, entity, expected_version)


# Write helpers shared by every record service.


def require_role(caller: Caller, roles: frozenset[Role], what: str) -> None:
    """`ForbiddenError` unless the caller's role may change `what` (same answer whether
    or not any row exists, so it reveals nothing)."""
    if not (caller.unrestricted or caller.role in roles):
        raise ForbiddenError(f"a {caller.role} user cannot change {what}")


def label_for(caller: Caller, label: LabelIn) -> Label:
    """The label to store, if the caller may assign it and would still read the record."""
    releasable = None if label.releasable_to is None else frozenset(label.releasable_to)
    chosen = Label(label.classification, releasable)
    if not caller.may_assign(chosen):
        raise ForbiddenError(
            f"your clearance does not allow labelling a record {label.classification}"
        )
    if not caller.reads(chosen):
        raise InvalidError(
            "label.releasable_to", label.releasable_to, "you could not read it yourself"
        )
    return chosen


def writable(row: Written, entity: str, expected_version: int) -> Written:
    """The row, if the change is based on its current version, else `ConflictError`."""
    if row.version != expected_version:
        raise ConflictError(entity, row.id, expected_version, row.version)
    return row


def given(row: Record, data: Any, *fields: str) -> dict[str, Any]:
    """The `fields` of an update to apply to `row`: every field sent, except a null for a
    column that takes none (there null means "unchanged", as an absent field does)."""
    columns = inspect(type(row)).columns
    changes: dict[str, Any] = {}
    for field in fields:
        value = getattr(data, field)
        if field in data.model_fields_set and (value is not None or columns[field].nullable):
            changes[field] = value
    return changes


def audited(row: Record) -> dict[str, Any]:
    """Every column of the row, as the audit log keeps it."""
    return audit.snapshot(row, [column.key for column in inspect(type(row)).column_attrs])


def created(session: Session, caller: Caller, entity: str, row: Record, label: LabelIn) -> None:
    """Add a new row with its label; audited."""
    chosen = label_for(caller, label)
    row.classification, row.releasable_to = chosen.classification, chosen.stored_releasability
    session.add(row)
    flush(session, entity, None, None)
    audit.append(session, caller, "create", entity, row.id, None, audited(row))


def changed(
    session: Session,
    caller: Caller,
    entity: str,
    row: Record,
    changes: dict[str, Any],
    label: LabelIn | None,
    expected_version: int,
) -> None:
    """Apply `changes` (column → value) and a new label to a row; audited."""
    before = audited(row)
    for column, value in changes.items():
        setattr(row, column, value)
    if label is not None:
        chosen = label_for(caller, label)
        row.classification = chosen.classification
        row.releasable_to = chosen.stored_releasability
    flush(session, entity, row.id, expected_version)
    audit.append(session, caller, "update", entity, row.id, before, audited(row))


def deleted(
    session: Session, caller: Caller, entity: str, row: Record, expected_version: int
) -> None:
    """Remove a row; refused (`InvalidError`) while other rows refer to it; audited."""
    before, row_id = audited(row), row.id
    session.delete(row)
    flush(session, entity, row_id, expected_version)
    audit.append(session, caller, "delete", entity, row_id, before, None)


def flush(session: Session, entity: str, row_id: int | None, expected_version: int | None) -> None:
    """Flush, turning a concurrent change into a `ConflictError` and a broken constraint
    (a row others refer to, a key someone took meanwhile) into an `InvalidError`; the
    boundary rolls the transaction back."""
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(entity, row_id, expected_version, None) from None
    except IntegrityError:
        raise InvalidError(
            "id" if row_id is not None else entity.replace(" ", "_"),
            row_id,
            f"the {entity} is still referred to by other records (remove those first), "
            "or its key is taken",
        ) from None
