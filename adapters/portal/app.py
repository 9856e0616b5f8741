"""The portal's app factory: routes, security headers, errors and request logs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from adapters import staff_api
from adapters.portal import api, inbox, pages, pages_documents, pages_forms, pages_pay
from adapters.portal._web import render
from adapters.portal.auth import CSRF_COOKIE, CsrfRefused, NotSignedIn
from adapters.portal.context import Portal
from domain.errors import DomainError
from services.receivables import NotFound

log = structlog.get_logger("o2c.portal")


def security_headers(portal: Portal) -> dict[str, str]:
    """Headers on every answer: no framing, no sniffing, no leaking referrers,
    and a policy that allows only the portal's own files and the gateway's
    form."""
    policy = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action 'self' {portal.gateway_origin}; frame-ancestors 'none'; "
        "base-uri 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(portal: Portal) -> FastAPI:
    """The portal as an ASGI app over an opened portal context."""
    app = FastAPI(
        title="o2c payer portal",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.portal = portal
    headers = security_headers(portal)

    @app.middleware("http")
    async def around(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        response.headers.update(headers)
        if getattr(request.state, "csrf_new", False):
            response.set_cookie(
                CSRF_COOKIE,
                request.state.csrf_seed,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                path="/",
            )
        route = request.scope.get("route")
        log.info(
            "request_handled",
            method=request.method,
            route=getattr(route, "path", "unmatched"),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/sign-in", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, 403)
        return render(request, "message.html", 403, message_key="forbidden")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if _wants_json(request) or error.status_code not in (404, 429):
            return JSONResponse(
                {"detail": error.detail}, error.status_code, headers=error.headers
            )
        key = "not_found" if error.status_code == 404 else "too_many"
        return render(request, "message.html", error.status_code, message_key=key)

    @app.exception_handler(DomainError)
    async def refused(request: Request, error: DomainError) -> Response:
        status = 404 if isinstance(error, NotFound) else 409
        log.info("command_refused", error=type(error).__name__)
        if _wants_json(request):
            return JSONResponse({"detail": type(error).__name__}, status_code=status)
        key = "not_found" if status == 404 else "err_rejected"
        return render(request, "message.html", status, message_key=key)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in error.errors()
        ]
        return JSONResponse({"detail": problems}, status_code=422)

    app.include_router(pages.router)
    app.include_router(pages_pay.router)
    app.include_router(pages_forms.router)
    app.include_router(pages_documents.router)
    app.include_router(api.router)
    app.include_router(inbox.router)
    app.include_router(staff_api.router)
    static = Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app
