//! The DAG nodes of calls: a user function's call site (arguments, then
//! the variables of its environment) and the wording of arity errors.

use std::sync::Arc;

use super::super::func::{CallSite, Env, EnvVar, FuncDef};
use super::super::node::{NodeId, Op};
use super::super::scope::{Binding, Scope};
use super::super::{Dag, Inputs};
use crate::error::{Error, ErrorKind, Span};
use crate::value;

impl Dag {
    /// The node of a call of user function `def` with argument nodes
    /// `args` at a site that sees `scope`: the arguments, then the nodes
    /// of the variables the bodies it can reach use, as bound here.
    pub(super) fn user_call(
        &mut self,
        def: &Arc<FuncDef>,
        args: Vec<NodeId>,
        scope: &Scope,
        span: Span,
    ) -> Result<NodeId, Error> {
        if args.len() != def.params.len() {
            let error = Error::with_detail(
                ErrorKind::WrongArity,
                span,
                format!(
                    "{} takes {} argument{}, got {}",
                    def.name,
                    def.params.len(),
                    if def.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
            );
            return self.failure(error, args);
        }
        let (env, bound) = Env::at(scope, def);
        let count = args.len();
        let mut inputs = args;
        for (_, var) in bound {
            inputs.push(match var {
                EnvVar::Bound(Binding::Node(node)) => node,
                EnvVar::Bound(Binding::Failed(e)) => self.failure(e, Inputs::None)?,
                EnvVar::Free => continue,
            });
        }
        let site = CallSite {
            def: Arc::clone(def),
            env: Arc::new(env),
            args: count,
        };
        self.operation(Op::UserCall(Arc::new(site)), inputs, span)
    }
}

pub(super) fn plural(arity: &value::Arity) -> &'static str {
    if arity.is_one() { "" } else { "s" }
}

/// `wrong number of arguments: NAME takes N argument(s), got K` at `span`,
/// the wording of every arity error.
pub(crate) fn arity_error(
    name: &str,
    expected: &dyn std::fmt::Display,
    got: usize,
    span: crate::error::Span,
) -> Error {
    let expected = expected.to_string();
    let s = if matches!(expected.as_str(), "1" | "at least 1") {
        ""
    } else {
        "s"
    };
    Error::with_detail(
        ErrorKind::WrongArity,
        span,
        format!("{name} takes {expected} argument{s}, got {got}"),
    )
}
