//! The routes: the page, and the API of SPEC section 7 (plus the list of
//! runs and a run's Chrome trace, which the page uses).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;

use super::engines::Engines;
use super::guard::Guard;
use super::runs::{LiveRun, Runs};
use super::{follow, json, page};
use crate::SubmitOptions;

/// The largest program a run takes (SPEC: 1 MiB; more is 413).
pub(super) const MAX_BODY: usize = 1 << 20;

/// Events sent to a subscriber per look at the log.
const EVENTS_PER_TURN: usize = 512;

/// What every handler shares.
pub(super) struct App {
    pub guard: Guard,
    pub engines: Engines,
    pub runs: Runs,
}

type Shared = State<Arc<App>>;

pub(super) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/api/runs", get(list).post(create))
        .route("/api/runs/{id}", get(show).delete(cancel))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/trace", get(trace))
        .fallback(|| async { problem(StatusCode::NOT_FOUND, "not found") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app)
}

/// Every request passes the Host and token checks first.
async fn guard(State(app): Shared, request: Request, next: Next) -> Response {
    match app.guard.admit(request.headers(), request.uri()) {
        Ok(()) => next.run(request).await,
        Err((status, why)) => problem(status, why),
    }
}

/// An error answer: `{"error": why}`.
fn problem(status: StatusCode, why: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": why}))).into_response()
}

fn json_text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `POST /api/runs`: the body is the program; `?workers=N` optional.
async fn create(
    State(app): Shared,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let workers = match query.get("workers").map(|w| w.parse::<usize>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return problem(StatusCode::BAD_REQUEST, "workers: a whole number"),
    };
    let engine = match app.engines.get(workers) {
        Ok(engine) => engine,
        Err(why) => return problem(StatusCode::BAD_REQUEST, &why),
    };
    let options = SubmitOptions {
        events: true,
        starts: true,
        timeout: app.engines.timeout(),
    };
    let id = app.runs.next_id();
    // Parsing a big program takes a while: not on the server's threads.
    let made = tokio::task::spawn_blocking(move || {
        let began = Instant::now();
        let program = engine.submit_program(&body, options);
        let run = Arc::new(LiveRun::new(id, program, engine.workers()));
        follow::follow(Arc::clone(&run), began);
        run
    })
    .await;
    match made {
        Ok(run) => {
            let answer = json::created(&run);
            app.runs.add(run);
            (StatusCode::CREATED, axum::Json(answer)).into_response()
        }
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "the run could not start"),
    }
}

/// `GET /api/runs`: the runs kept, newest first.
async fn list(State(app): Shared) -> Response {
    let runs: Vec<serde_json::Value> = app.runs.list().iter().map(|r| json::summary(r)).collect();
    axum::Json(serde_json::json!({"runs": runs})).into_response()
}

/// `GET /api/runs/ID`.
async fn show(State(app): Shared, Path(id): Path<String>) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return problem(StatusCode::NOT_FOUND, "no such run");
    };
    match tokio::task::spawn_blocking(move || json::run(&run)).await {
        Ok(body) => json_text(StatusCode::OK, body),
        Err(_) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the run could not be shown",
        ),
    }
}

/// `DELETE /api/runs/ID`: cancels the run.
async fn cancel(State(app): Shared, Path(id): Path<String>) -> Response {
    match app.runs.get(&id) {
        Some(run) => {
            run.cancel();
            StatusCode::NO_CONTENT.into_response()
        }
        None => problem(StatusCode::NOT_FOUND, "no such run"),
    }
}

/// `GET /api/runs/ID/trace`: the run's Chrome trace-event JSON (open it
/// in Perfetto), once it is over (409 before).
async fn trace(State(app): Shared, Path(id): Path<String>) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return problem(StatusCode::NOT_FOUND, "no such run");
    };
    let made = tokio::task::spawn_blocking(move || run.program.report().map(|r| r.trace_json()));
    match made.await {
        Ok(Some(trace)) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"exprflow-trace.json\"",
                ),
            ],
            trace,
        )
            .into_response(),
        Ok(None) => problem(StatusCode::CONFLICT, "the run is not over"),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "no trace"),
    }
}

/// `GET /api/runs/ID/events`: the run's events from its start, then live,
/// then `event: done`.
async fn events(State(app): Shared, Path(id): Path<String>) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return problem(StatusCode::NOT_FOUND, "no such run");
    };
    Sse::new(event_stream(run))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Where a subscriber is in a run's log.
struct Subscriber {
    run: Arc<LiveRun>,
    changed: tokio::sync::watch::Receiver<u64>,
    next: usize,
    ready: std::collections::VecDeque<Event>,
    over: bool,
}

fn event_stream(run: Arc<LiveRun>) -> impl Stream<Item = Result<Event, Infallible>> {
    let changed = run.subscribe();
    let subscriber = Subscriber {
        run,
        changed,
        next: 0,
        ready: Default::default(),
        over: false,
    };
    futures_util::stream::unfold(subscriber, |mut s| async move {
        loop {
            if let Some(event) = s.ready.pop_front() {
                return Some((Ok(event), s));
            }
            if s.over {
                return None;
            }
            s.changed.borrow_and_update();
            s.fill();
            if s.ready.is_empty() && !s.over && s.changed.changed().await.is_err() {
                return None;
            }
        }
    })
}

impl Subscriber {
    /// Takes the next events from the log (and the end, once reached).
    fn fill(&mut self) {
        let log = self.run.log();
        let upto = log.entries.len().min(self.next + EVENTS_PER_TURN);
        for entry in &log.entries[self.next..upto] {
            let data = json::node_event(&self.run.program, entry);
            self.ready
                .push_back(Event::default().event("node").data(data));
        }
        self.next = upto;
        if upto == log.entries.len()
            && let Some(ending) = &log.ending
        {
            let data = json::done_event(ending);
            self.ready
                .push_back(Event::default().event("done").data(data));
            self.over = true;
        }
    }
}
