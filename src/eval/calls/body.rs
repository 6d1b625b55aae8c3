//! One step of a body node of a frame: its value from its inputs' slots,
//! the input to compute first, or the call it makes; and the built-ins a
//! body calls.

use std::sync::Arc;
use std::time::Duration;

use super::{Expansion, Frame, Wait, of_slot};
use crate::dag::{BodyId, BodyOp, FuncDef, Outcome};
use crate::error::{Error, ErrorKind, Span};
use crate::eval::sequential::wait;
use crate::value::{self, Builtin, Value};

/// What one step of a frame's top body node gave.
pub(super) enum Step {
    /// Compute this input first.
    Descend(BodyId),
    /// The node's outcome.
    Done(Outcome),
    /// Call user function `def` with `args` (known values).
    Call(Arc<FuncDef>, Vec<Value>),
    /// Wait for a host call or a `delay` (never a fork).
    Wait(Wait),
}

impl Expansion<'_> {
    /// The next step of body node `b` of `frame`; `next` is the index of
    /// its next input to look at (for `if`: 0, then the chosen branch).
    pub(super) fn step(&self, frame: &Frame, b: BodyId, next: &mut usize) -> Step {
        let node = &frame.def.body.nodes[b as usize];
        let span = node.span;
        let inputs: &[BodyId] = match &node.op {
            BodyOp::Const(v) => return Step::Done(Ok(v.clone())),
            BodyOp::Fail(e) => return Step::Done(Err(e.clone())),
            BodyOp::Param(k) => {
                return Step::Done(frame.args.get(*k).cloned().ok_or_else(|| {
                    Error::with_detail(ErrorKind::Internal, span, "missing argument")
                }));
            }
            BodyOp::Global(name) => return Step::Done(self.global(name, span)),
            BodyOp::If(c, a, alt) => {
                if *next == 0 {
                    match &frame.slots[*c as usize] {
                        None => return Step::Descend(*c),
                        Some(Err(e)) => return Step::Done(Err((**e).clone())),
                        Some(Ok(v)) => *next = if v.is_zero() { 2 } else { 1 },
                    }
                }
                let branch = if *next == 1 { *a } else { *alt };
                return match &frame.slots[branch as usize] {
                    None => Step::Descend(branch),
                    Some(slot) => Step::Done(of_slot(slot)),
                };
            }
            BodyOp::Unary(_, a) => std::slice::from_ref(a),
            BodyOp::Binary(_, a, b) => &[*a, *b][..],
            BodyOp::Call { args, .. } => args,
        };
        let inputs: Vec<BodyId> = inputs.to_vec();
        while let Some(&input) = inputs.get(*next) {
            match &frame.slots[input as usize] {
                None => return Step::Descend(input),
                Some(Err(e)) => return Step::Done(Err((**e).clone())),
                Some(Ok(_)) => *next += 1,
            }
        }
        let values: Vec<&Value> = inputs
            .iter()
            .filter_map(|&i| frame.slots[i as usize].as_ref()?.as_ref().ok())
            .collect();
        let fault = |f| Error::from_fault(f, span);
        match (&node.op, values.as_slice()) {
            (BodyOp::Unary(op, _), [x]) => {
                Step::Done(value::unary(*op, x, &self.limits.value).map_err(fault))
            }
            (BodyOp::Binary(op, ..), [x, y]) => {
                Step::Done(value::binary(*op, x, y, &self.limits.value).map_err(fault))
            }
            (BodyOp::Call { name, .. }, values) => {
                let values: Vec<Value> = values.iter().map(|v| (*v).clone()).collect();
                self.call(name, values, span)
            }
            _ => Step::Done(Err(Error::with_detail(
                ErrorKind::Internal,
                span,
                "body node with the wrong inputs",
            ))),
        }
    }

    /// A variable of the body that is not a parameter, as bound at the
    /// call site (or a constant).
    fn global(&self, name: &str, span: Span) -> Outcome {
        match self.site.env.vars.get(name) {
            Some(Some(k)) => self.env.get(*k).cloned().unwrap_or_else(|| {
                Err(Error::with_detail(
                    ErrorKind::Internal,
                    span,
                    "missing variable",
                ))
            }),
            _ => value::constant(name).ok_or_else(|| crate::dag::Env::unknown(name, span)),
        }
    }

    /// A call inside a body: a user function (of the site's environment),
    /// else a host function, else a built-in.
    fn call(&self, name: &str, args: Vec<Value>, span: Span) -> Step {
        let arity_error = |expected: String| {
            Step::Done(Err(Error::with_detail(
                ErrorKind::WrongArity,
                span,
                format!("{name} takes {expected}, got {}", args.len()),
            )))
        };
        if let Some(def) = self.site.env.funcs.get(name) {
            if def.params.len() != args.len() {
                let n = def.params.len();
                return arity_error(format!("{n} argument{}", if n == 1 { "" } else { "s" }));
            }
            return Step::Call(Arc::clone(def), args);
        }
        if name == "if" {
            return arity_error("3 arguments".into());
        }
        if let Some(f) = self.dag.host_functions().get(name) {
            if !f.arity().accepts(args.len()) {
                let n = f.arity();
                return arity_error(format!("{n} argument{}", if n.is_one() { "" } else { "s" }));
            }
            return Step::Wait(Wait::Host(Arc::clone(f), args, span));
        }
        let Some(f) = Builtin::from_name(name) else {
            return Step::Done(Err(Error::with_detail(
                ErrorKind::UnknownFunction,
                span,
                format!("`{name}`"),
            )));
        };
        if !f.arity().accepts(args.len()) {
            let n = f.arity();
            let s = if matches!(n, value::Arity::Exactly(1)) {
                ""
            } else {
                "s"
            };
            return arity_error(format!("{n} argument{s}"));
        }
        let computed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            value::call(f, &args, &self.limits.value)
        }));
        let outcome = match computed {
            Ok(result) => result.map_err(|fault| Error::from_fault(fault, span)),
            Err(_) => Err(Error::with_detail(
                ErrorKind::Internal,
                span,
                "evaluation panicked",
            )),
        };
        if outcome.is_ok()
            && matches!(f, Builtin::Delay | Builtin::Busy)
            && let Some(ms) = args.get(1)
        {
            let waited = match value::duration_ms(ms) {
                Err(fault) => Err(Error::from_fault(fault, span)),
                Ok(ms) if ms > self.limits.max_wait.as_secs_f64() * 1000.0 => {
                    Err(Error::with_detail(
                        ErrorKind::Domain,
                        span,
                        format!("{} of {ms} ms is over the limit", f.name()),
                    ))
                }
                Ok(ms) => Ok(Duration::from_secs_f64(ms / 1000.0)),
            };
            return match waited {
                Err(e) => Step::Done(Err(e)),
                Ok(duration) if f == Builtin::Delay => Step::Wait(Wait::Delay(duration, outcome)),
                // `busy` is work: it burns this thread's CPU here.
                Ok(duration) if wait(f, duration, self.cancel) => Step::Done(outcome),
                Ok(_) => Step::Done(Err(Error::new(ErrorKind::Cancelled, span))),
            };
        }
        Step::Done(outcome)
    }
}
