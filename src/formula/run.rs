//! Running a program on one row: a loop over the instructions with a
//! register file reused from row to row. Small integers and floats take
//! the fast paths in `fast.rs`, which never allocate; anything else (big
//! integers, rationals, a result that overflows or an error) goes through
//! the value layer's general operations, so every rule of the tower holds.

use super::fast;
use super::program::{Ins, Program};
use crate::dag::Dag;
use crate::error::{Error, ErrorKind, Span};
use crate::eval::{CancelToken, EvalLimits};
use crate::value::{self, Builtin, Value};

/// Runs `program` on registers whose inputs are set (see
/// [`Program::fresh_registers`]); returns the result or the first error.
pub(crate) fn run(
    program: &Program,
    regs: &mut [Value],
    scratch: &mut Vec<Value>,
    limits: &EvalLimits,
    ints: bool,
    (memo, cancel): (Option<&Dag>, &CancelToken),
) -> Result<Value, Error> {
    let code = &program.code;
    let mut pc = 0usize;
    while let Some(&ins) = code.get(pc) {
        pc += 1;
        match ins {
            Ins::Bin { op, dst, a, b } => {
                let (x, y) = (&regs[a as usize], &regs[b as usize]);
                let v = match fast::binary(op, x, y, program, (a, b), ints) {
                    Some(v) => v,
                    None => value::binary(op, x, y, &limits.value)
                        .map_err(|f| Error::from_fault(f, program.spans[pc - 1]))?,
                };
                regs[dst as usize] = v;
            }
            Ins::Neg { dst, a } => {
                let v = match &regs[a as usize] {
                    Value::Float(x) => Value::Float(-x),
                    x => value::unary(value::UnOp::Neg, x, &limits.value)
                        .map_err(|f| Error::from_fault(f, program.spans[pc - 1]))?,
                };
                regs[dst as usize] = v;
            }
            Ins::Unary { op, dst, a } => {
                let v = value::unary(op, &regs[a as usize], &limits.value)
                    .map_err(|f| Error::from_fault(f, program.spans[pc - 1]))?;
                regs[dst as usize] = v;
            }
            Ins::Call { f, dst, start, len } => {
                let args = &program.args[start as usize..(start + len) as usize];
                let v = match fast::call(f, args, regs) {
                    Some(v) => v,
                    None => {
                        scratch.clear();
                        scratch.extend(args.iter().map(|&r| regs[r as usize].clone()));
                        value::call(f, scratch, &limits.value)
                            .map_err(|e| Error::from_fault(e, program.spans[pc - 1]))?
                    }
                };
                regs[dst as usize] = v;
            }
            Ins::Host { f, dst, start, len } => {
                let span = program.spans[pc - 1];
                let args = &program.args[start as usize..(start + len) as usize];
                let args = args.iter().map(|&r| regs[r as usize].clone()).collect();
                let (Some(f), Some(memo)) = (program.hosts.get(f as usize), memo) else {
                    let detail = "a host call without its function";
                    return Err(Error::with_detail(ErrorKind::Internal, span, detail));
                };
                let v = crate::eval::call_blocking(memo, f, args, span, &limits.value, cancel)?;
                regs[dst as usize] = v;
            }
            Ins::Wait { f, dst, x, ms } => {
                let span = program.spans[pc - 1];
                wait(f, &regs[ms as usize], (limits, cancel), span)?;
                regs[dst as usize] = regs[x as usize].clone();
            }
            Ins::JumpIfZero { cond, to } => {
                if regs[cond as usize].is_zero() {
                    pc = to as usize;
                }
            }
            Ins::Jump { to } => pc = to as usize,
            Ins::Move { dst, src } => regs[dst as usize] = regs[src as usize].clone(),
            Ins::Raise { error } => {
                return Err(program
                    .errors
                    .get(error as usize)
                    .cloned()
                    .unwrap_or_else(|| {
                        Error::with_detail(ErrorKind::Internal, Span::default(), "no such error")
                    }));
            }
        }
    }
    Ok(regs[program.result as usize].clone())
}

/// `delay(x, ms)` and `busy(x, ms)` in a row: the duration is validated as
/// everywhere, then the row's thread sleeps or burns CPU for it, unless
/// `cancel` fires first (`cancelled`).
fn wait(
    f: Builtin,
    ms: &Value,
    (limits, cancel): (&EvalLimits, &CancelToken),
    span: Span,
) -> Result<(), Error> {
    let ms = value::duration_ms(ms).map_err(|fault| Error::from_fault(fault, span))?;
    let max_ms = limits.max_wait.as_secs_f64() * 1000.0;
    if ms > max_ms {
        return Err(Error::with_detail(
            ErrorKind::Domain,
            span,
            format!("{} of {ms} ms is over the limit of {max_ms} ms", f.name()),
        ));
    }
    let duration = std::time::Duration::from_secs_f64(ms / 1000.0);
    if crate::eval::wait_node(f, duration, cancel) {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::Cancelled, span))
    }
}
