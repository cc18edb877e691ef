"""The leaders' tab under /tab/ (pages, vendored assets) and /api/tab/ (JSON): one more adapter over the features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.kernel.people import Person
from bot.messages import catalogue, language, t
from bot.services import Services
from bot.tab import broadcasts, polls, portfolio, register
from bot.tab.auth import dev_mode
from bot.tab.web import SECURITY_HEADERS, STATE, TabState, api, locale_of, services_of

HERE = Path(__file__).parent
JINJA = web.AppKey("tab_jinja", jinja2.Environment)
PAGES = {"register": "tab.title.register", "portfolio": "tab.title.portfolio", "polls": "tab.title.polls",
         "broadcasts": "tab.title.broadcasts"}
SETTINGS_PAGES = {"configure": "tab.title.configure"}  # not in the navigation
THEMES = ("default", "dark", "contrast")


def page_texts(locale: str) -> dict[str, str]:
    """Every tab.* text (and the features' labels the page shows) in the page's language, for its script."""
    lang = language(locale)
    texts = catalogue()[lang]
    return {k: v for k, v in texts.items() if k.startswith(("tab.", "polls.answer."))}


def _page(name: str) -> Any:
    """The handler of one page of the tab."""
    async def page(request: web.Request) -> web.Response:
        settings = services_of(request).settings
        locale = locale_of(request)
        theme = request.query.get("theme", "")
        context = {
            "lang": language(locale), "locale": locale, "page": name, "title": t({**PAGES, **SETTINGS_PAGES}[name], locale),
            "texts": page_texts(locale), "dev": dev_mode(settings), "dev_user": settings.tab_dev_user or "dev-user",
            "theme": theme if theme in THEMES else "", "nav": [(p, t(f"tab.nav.{p}", locale)) for p in PAGES],
            "t": lambda k, **p: t(k, locale, **p),
        }
        response = aiohttp_jinja2.render_template(f"{name}.html", request, context, app_key=JINJA)
        response.headers.update({**SECURITY_HEADERS, "Cache-Control": "no-store"})
        return response
    page.__name__ = f"{name}_page"
    page.__doc__ = f"GET /tab/{name}: the page shell; its data comes from /api/tab/ with the signed-in user's token."
    return page


@api
async def me(_request: web.Request, _services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/me: who is signed in and what they may do."""
    return web.json_response({"name": person.name or person.id, "role": person.role.value,
                              "role_label": t(f"tab.role.{person.role.value}", locale),
                              "is_leader": person.is_leader, "can_export": person.can_export})


async def _static_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """The tab's security headers on every /tab/ response, the static files included."""
    if _request.path.startswith("/tab/"):
        response.headers.update(SECURITY_HEADERS)


async def _index(_request: web.Request) -> web.Response:
    """/tab opens the register."""
    raise web.HTTPFound("/tab/register")


def install(app: web.Application, services_key: web.AppKey[Any]) -> None:
    """Mount the tab on the bot's app; `services_key` is where the app keeps its Services."""
    app[STATE] = TabState(services_key)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, app_key=JINJA)
    app.router.add_get("/tab", _index)
    app.router.add_get("/tab/", _index)
    for name in (*PAGES, *SETTINGS_PAGES):
        app.router.add_get(f"/tab/{name}", _page(name))
    app.router.add_static("/tab/static/", HERE / "static", append_version=False)
    app.router.add_get("/api/tab/me", me)
    register.install(app)
    portfolio.install(app)
    broadcasts.install(app)
    polls.install(app)
    app.on_response_prepare.append(_static_headers)
