"""The team lead's pages (role ``teamlead`` only; anyone else gets 404):

- ``/lead``: the start page: the approval queue (court, enforcement, write-off and
  credit-bureau proposals) with counts per step, filters by step and creditor and paging,
  each with the case summary and the proposal as it would be carried out, approve or send
  back with a reason (four-eyes: :func:`mahnwerk.services.actor.approval_refusal`); and the
  team: open tasks by agent;
- ``/lead/tasks``: the team's open tasks, by agent, with reassignment.

The approvals are court's queue (:func:`mahnwerk.services.court.views.approval_queue`: the
application as it will be filed, its digest, who may decide) with counts, filters and pages;
decisions post to ``/work/approvals/{id}/decide`` (:mod:`mahnwerk.web.workspace`) with
``back=lead``, so a decision returns here. ``/work/approvals`` shows the whole queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mahnwerk.services.actor import today_in_germany
from mahnwerk.services.court import views as court_views
from mahnwerk.services.workspace import lead
from mahnwerk.services.workspace.workflow import WorkflowError
from mahnwerk.store.db import transaction
from mahnwerk.web.guard import person, posted
from mahnwerk.web.workspace import flash, take_flash

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

ROLES = ("teamlead",)
BERLIN = ZoneInfo("Europe/Berlin")


def _int(text: str, default: int = 1) -> int:
    return int(text) if text.isdigit() else default


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/lead", response_class=HTMLResponse)
    def home(request: Request, stage: str = "", creditor: str = "", page: str = "1") -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        _, actor = who
        with transaction(pages.runtime.sessions) as session:
            queue = lead.approval_queue(
                session,
                actor,
                today_in_germany(),
                stage=stage if stage in lead.APPROVAL_STAGES else None,
                creditor_id=int(creditor) if creditor.isdigit() else None,
                page=_int(page),
            )
            load = lead.team_load(session, actor, datetime.now(BERLIN))
            # court's queue: the application as filed, its digest and who may decide
            court = {
                i.approval.id: i
                for i in court_views.approval_queue(
                    session, actor, today_in_germany(), only=[i.approval.id for i in queue.items]
                )
            }
            return pages.render(
                request,
                "lead/home.html",
                q=queue,
                court=court,
                load=load,
                stages=lead.APPROVAL_STAGES,
                flash=take_flash(request),
            )

    @r.get("/lead/tasks", response_class=HTMLResponse)
    def tasks(request: Request, agent: str = "", page: str = "1") -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        _, actor = who
        with transaction(pages.runtime.sessions) as session:
            found = lead.team_tasks(session, actor, assignee=agent, page=_int(page))
            load = lead.team_load(session, actor, datetime.now(BERLIN))
            return pages.render(
                request,
                "lead/tasks.html",
                found=found,
                load=load,
                agent=agent,
                flash=take_flash(request),
            )

    @r.post("/lead/tasks/assign")
    async def assign(request: Request) -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        form = await request.form()
        if not posted(request, str(form.get("csrf", ""))):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        ids = [int(str(v)) for v in form.getlist("task") if str(v).isdigit()]
        target = str(form.get("to") or "")
        back = str(form.get("back", "/lead/tasks"))
        if not back.startswith("/lead"):
            back = "/lead/tasks"
        try:
            with transaction(pages.runtime.sessions) as session:
                moved = lead.assign_tasks(
                    session, who[1], ids, int(target) if target.isdigit() else None
                )
        except WorkflowError as exc:
            flash(request, "error", str(exc))
            return RedirectResponse(back, status_code=303)
        flash(request, "ok", "lead.done.assigned" if moved else "lead.done.nothing")
        return RedirectResponse(back, status_code=303)

    return r
