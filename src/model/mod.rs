//! Models: named cells, like a spreadsheet, that recompute only what
//! changed (SPEC section 5). See [`Model`].

mod cells;
mod code;
mod cycle;
mod plan;
mod run;
#[cfg(test)]
mod tests;

use std::sync::{Condvar, Mutex, MutexGuard};

use cells::{Cells, Def, Status};
use code::{Code, Compile, Shapes};
use plan::Plan;

use crate::error::{Error, ErrorKind, Span};
use crate::eval::{CancelToken, Engine};
use crate::value::Value;

/// What the last [`Model::get`] did, in formula cells (the nodes of a
/// model's graph; inputs given by [`Model::set`] are never computed):
/// how many it evaluated, and how many of those its answer needs it
/// reused as they were.
///
/// ```
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let model = engine.model();
/// model.define("y = x * 0\nz = y + 1").unwrap();
/// model.set("x", 5.into()).unwrap();
/// model.get("z").unwrap();
/// assert_eq!(model.last_recompute(), exprflow::Recompute { recomputed: 2, reused: 0 });
/// model.set("x", 6.into()).unwrap();
/// model.get("z").unwrap(); // y is still 0: z is not recomputed
/// assert_eq!(model.last_recompute(), exprflow::Recompute { recomputed: 1, reused: 1 });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Recompute {
    /// Formula cells evaluated.
    pub recomputed: usize,
    /// Formula cells the answer needs that kept their value without
    /// being evaluated.
    pub reused: usize,
}

/// A set of named cells, like a spreadsheet: formulas given by
/// [`define`](Model::define) (`total = price * qty + fee`) and values
/// given by [`set`](Model::set), in any order. [`get`](Model::get)
/// computes a cell, recomputing only what changed since it was last
/// computed: cells downstream of an edit, and of those only the ones whose
/// inputs' values actually changed (early cutoff). The answer is always
/// the one a fresh model with the same cells would give, errors included.
///
/// - A second `define` or `set` of a name replaces it (a formula may
///   become a value and back).
/// - A cell may read a name that is not (yet) a cell: a `get` that needs
///   it reports `unknown variable` naming it, unless it is a constant such
///   as `pi` (a cell of that name shadows the constant).
/// - Cells on a cycle are an error naming the cycle, reported by `get`
///   (`cycle: a -> c -> b -> a`, each cell reading the next); a `define`
///   that closes a cycle is accepted, as in a spreadsheet, and redefining
///   any cell of it repairs it.
/// - An error in a cell reaches the cells that read it as a variable's
///   error does in a session: the leftmost failing part of a formula
///   decides its error.
/// - A model holds cells, not functions: a function definition is a
///   syntax error here.
/// - Cells may call the engine's host functions. Volatile cells (`busy`,
///   `delay`, volatile host functions) are recomputed when one of their
///   inputs changes, never just because of a `get` (the spreadsheet rule).
///
/// Every method takes `&self`: a model can be shared between threads
/// (`Model` is `Send + Sync`). An edit made while a `get` is recomputing
/// on another thread cancels that stale work (as salsa cancels queries on
/// a pending write): the `get` starts again on the new cells and returns
/// their answer.
///
/// ```
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let model = engine.model();
/// model.define("total = price * qty + fee").unwrap();
/// model.set("price", 3.into()).unwrap();
/// model.set("qty", 4.into()).unwrap();
/// model.set("fee", 1.into()).unwrap();
/// assert_eq!(model.get("total").unwrap().to_string(), "13");
/// model.set("fee", 2.into()).unwrap();
/// assert_eq!(model.get("total").unwrap().to_string(), "14");
/// model.define("fee = 1/0").unwrap();
/// assert_eq!(model.get("total").unwrap_err().to_string(), "division by zero");
/// model.define("price = total").unwrap();
/// assert_eq!(model.get("total").unwrap_err().to_string(), "cycle: total -> price -> total");
/// ```
pub struct Model {
    engine: Engine,
    /// Whether cells are compiled into formulas (the fast path).
    compile: Compile,
    state: Mutex<State>,
    /// Signalled when a recompute ends.
    idle: Condvar,
}

#[derive(Debug, Default)]
struct State {
    cells: Cells,
    /// All text defined so far; error spans index into it.
    source: String,
    last: Recompute,
    /// The recompute in progress: the revision it started from.
    running: Option<(u64, CancelToken)>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Model")
            .field("cells", &state.cells.cells.len())
            .field("revision", &state.cells.revision)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An empty [`Model`] whose cells are computed on this engine's pool.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let model = engine.model();
    /// model.define("area = w * h").unwrap();
    /// model.set("w", 3.into()).unwrap();
    /// model.set("h", 4.into()).unwrap();
    /// assert_eq!(model.get("area").unwrap(), exprflow::Value::from(12));
    /// ```
    pub fn model(&self) -> Model {
        Model {
            engine: self.clone(),
            compile: Compile::Formula,
            state: Mutex::new(State::default()),
            idle: Condvar::new(),
        }
    }

    /// A [`Model`] that evaluates every cell by building its DAG (never
    /// the compiled fast path): the reference the property tests compare
    /// with (feature `test-hooks`).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn model_interpreted(&self) -> Model {
        Model {
            compile: Compile::Never,
            ..self.model()
        }
    }
}

impl Model {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Defines cells: one `name = expression` per line (blank and comment
    /// lines are skipped). Each replaces any earlier cell of its name. All
    /// or nothing: a syntax error defines none of the lines, and is
    /// returned with its span in [`source`](Model::source).
    ///
    /// ```
    /// let model = exprflow::Engine::with_workers(1).unwrap().model();
    /// model.define("a = b + 1\nb = 2  # order does not matter").unwrap();
    /// assert_eq!(model.get("a").unwrap().to_string(), "3");
    /// let error = model.define("c = 1 +").unwrap_err();
    /// assert_eq!(error.kind, exprflow::ErrorKind::Syntax);
    /// assert!(model.define("f(x) = x^2").is_err()); // cells, not functions
    /// ```
    pub fn define(&self, text: impl AsRef<str>) -> Result<(), Error> {
        let text = text.as_ref();
        let mut state = self.lock();
        let mut offset = state.source.len();
        state.source.push_str(text);
        state.source.push('\n');
        let mut codes = Vec::new();
        let mut shapes = Shapes::default();
        for line in text.split('\n') {
            let how = (self.compile, &mut shapes);
            if let Some(code) = Code::parse(line, offset, &self.engine, how)? {
                codes.push(code);
            }
            offset += line.len() + 1;
        }
        if codes.is_empty() {
            return Ok(());
        }
        for code in codes {
            state.cells.define(code);
        }
        Self::cancel_stale(&state);
        Ok(())
    }

    /// Gives cell `name` the value `value` (replacing any formula of that
    /// name). Setting the value a cell already has changes nothing.
    ///
    /// ```
    /// let model = exprflow::Engine::with_workers(1).unwrap().model();
    /// model.define("twice = 2 * x").unwrap();
    /// model.set("x", exprflow::Value::from(21)).unwrap();
    /// assert_eq!(model.get("twice").unwrap().to_string(), "42");
    /// assert!(model.set("2x", 1.into()).is_err()); // not a name
    /// ```
    pub fn set(&self, name: &str, value: Value) -> Result<(), Error> {
        if !code::is_name(name) {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                Span::default(),
                format!("`{name}` is not a name"),
            ));
        }
        let mut state = self.lock();
        let before = state.cells.revision;
        state.cells.set(name, value);
        if state.cells.revision != before {
            Self::cancel_stale(&state);
        }
        Ok(())
    }

    /// The value of cell `name`, recomputing what changed since it was
    /// last computed (see [`last_recompute`](Model::last_recompute)).
    /// Cells that do not depend on each other are computed in parallel on
    /// the engine's pool. An error names its kind and has its span in
    /// [`source`](Model::source); a name that is no cell is `unknown
    /// variable` (with an empty span: the name is not in the source).
    ///
    /// ```
    /// let model = exprflow::Engine::with_workers(2).unwrap().model();
    /// model.define("r = sqrt(x)").unwrap();
    /// model.set("x", (-4).into()).unwrap();
    /// assert_eq!(model.get("r").unwrap_err().kind, exprflow::ErrorKind::Domain);
    /// model.set("x", 16.into()).unwrap();
    /// assert_eq!(model.get("r").unwrap().to_string(), "4");
    /// assert_eq!(model.get("nope").unwrap_err().kind, exprflow::ErrorKind::UnknownVariable);
    /// ```
    pub fn get(&self, name: &str) -> Result<Value, Error> {
        crate::eval::refuse_to_stall(self.engine.host_functions(), Span::default())?;
        let mut state = self.lock();
        loop {
            let unknown = || {
                Error::with_detail(
                    ErrorKind::UnknownVariable,
                    Span::default(),
                    format!("`{name}` is not a cell of the model"),
                )
            };
            let Some(id) = state.cells.id(name) else {
                state.last = Recompute::default();
                return Err(unknown());
            };
            let cell = &state.cells[id];
            match (&cell.def, &cell.outcome, cell.status) {
                (Def::Undefined, ..) => {
                    state.last = Recompute::default();
                    return Err(unknown());
                }
                (Def::Input, Some(outcome), _)
                | (Def::Formula(_), Some(outcome), Status::Clean) => {
                    let outcome = (**outcome).clone();
                    let reused = state.cells.needs(id);
                    state.last = Recompute {
                        recomputed: 0,
                        reused,
                    };
                    return outcome;
                }
                _ => {}
            }
            if state.running.is_some() {
                // One recompute at a time; a stale one is told to stop.
                Self::cancel_stale(&state);
                state = self.idle.wait(state).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            let plan = Plan::new(&state.cells, id);
            let cancel = CancelToken::new();
            state.running = Some((plan.revision, cancel.clone()));
            drop(state);
            let done = {
                let _running = Running(self);
                run::execute(&plan, &self.engine, &cancel)
            };
            state = self.lock();
            let Some(done) = done.filter(|_| state.cells.revision == plan.revision) else {
                continue; // cancelled, or the cells changed meanwhile: again
            };
            let answer = done.get(plan.target).map(|d| (*d.outcome).clone());
            let recomputed = run::commit(&mut state.cells, &plan, done);
            let needs = state.cells.needs(id);
            state.last = Recompute {
                recomputed,
                reused: needs.saturating_sub(recomputed),
            };
            return answer.unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Span::default())));
        }
    }

    /// What the last [`get`](Model::get) recomputed and reused.
    ///
    /// ```
    /// let model = exprflow::Engine::with_workers(1).unwrap().model();
    /// model.define("a = 1 + 2\nb = a * a").unwrap();
    /// model.get("b").unwrap();
    /// assert_eq!(model.last_recompute().recomputed, 2);
    /// model.get("b").unwrap(); // nothing changed
    /// assert_eq!(model.last_recompute(), exprflow::Recompute { recomputed: 0, reused: 2 });
    /// ```
    pub fn last_recompute(&self) -> Recompute {
        self.lock().last
    }

    /// All text given to [`define`](Model::define) so far, each call's
    /// text followed by a newline; error spans index into it.
    ///
    /// ```
    /// let model = exprflow::Engine::with_workers(1).unwrap().model();
    /// model.define("a = 1/0").unwrap();
    /// let error = model.get("a").unwrap_err();
    /// assert_eq!(&model.source()[error.span.start..error.span.end], "1/0");
    /// ```
    pub fn source(&self) -> String {
        self.lock().source.clone()
    }

    /// Cancels the recompute in progress if the cells changed since it
    /// started.
    fn cancel_stale(state: &State) {
        if let Some((revision, cancel)) = &state.running
            && *revision != state.cells.revision
        {
            cancel.cancel();
        }
    }

    /// Whether a recompute is in progress (for the cancellation tests).
    #[cfg(test)]
    fn recomputing(&self) -> bool {
        self.lock().running.is_some()
    }
}

/// Ends the recompute in progress when dropped (even by a panic), and
/// wakes the `get`s waiting for it.
struct Running<'a>(&'a Model);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.lock().running = None;
        self.0.idle.notify_all();
    }
}
