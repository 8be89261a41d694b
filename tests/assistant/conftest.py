"""Fixtures of the assistant tests: the trained intent model (once per test session, it is
deterministic), its configuration, a creditor with bank account and plan limits, a case."""

from __future__ import annotations

import pytest
from tests.assistant.assistant_support import CREDITOR_SETTINGS, make_case

from mahnwerk.assistant.model import IntentModel, load_or_train
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.assistant import AssistantConfig
from mahnwerk.services.assistant.office import parse_office_hours
from mahnwerk.store.db import transaction


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> IntentModel:
    return load_or_train(tmp_path_factory.mktemp("assistant-model"))


@pytest.fixture
def config(model, tmp_path) -> AssistantConfig:
    return AssistantConfig(
        agency_name="Inkasso Nord GmbH",
        office_hours=parse_office_hours("Mo-Fr 08:00-18:00"),
        documents_dir=tmp_path / "documents",
        model_dir=None,
    )


@pytest.fixture
def creditor_id(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = CREDITOR_SETTINGS
        return creditor.id


@pytest.fixture
def case_id(sessions, creditor_id):
    return make_case(sessions, creditor_id)
