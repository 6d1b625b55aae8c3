//! [`call_sites`]: the function calls written in an expression, with
//! where they are, for embedders that hand some calls to another engine
//! (the Python package's `to_dask` makes each host call a Dask task).

use crate::error::{Error, ErrorKind, Span};
use crate::syntax::{self, ExprKind};

/// One function call as written in an expression: `name(args...)`.
///
/// ```
/// let sites = exprflow::call_sites("1 + f(2, g(3))").unwrap();
/// assert_eq!(sites[0].name, "f");
/// assert_eq!(sites[0].span, exprflow::Span::new(4, 14));
/// assert_eq!(sites[0].args, [exprflow::Span::new(6, 7), exprflow::Span::new(9, 13)]);
/// assert_eq!(sites[1].name, "g");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// The called function's name (built-in, host or unknown alike).
    pub name: String,
    /// The whole call, from the name to the closing parenthesis (byte
    /// offsets into the text).
    pub span: Span,
    /// Each argument's expression, left to right.
    pub args: Vec<Span>,
    /// Where the call sits, which says whether evaluating the expression
    /// always reaches it.
    pub reach: Reach,
}

/// Whether evaluating an expression reaches a call.
///
/// ```
/// let sites = exprflow::call_sites("if(f(1), g(2), 3)").unwrap();
/// let reach: Vec<_> = sites.iter().map(|s| (s.name.as_str(), s.reach)).collect();
/// assert_eq!(
///     reach,
///     [
///         ("if", exprflow::Reach::Always),
///         ("f", exprflow::Reach::Always),
///         ("g", exprflow::Reach::IfBranch),
///     ]
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reach {
    /// The call is evaluated whenever its expression is (its own arguments
    /// permitting: an earlier error stops evaluation before it).
    Always,
    /// The call is inside a branch of an `if`, evaluated only when that
    /// branch is taken.
    IfBranch,
}

/// The function calls written in the single expression `text`, in text
/// order (an outer call before the calls in its arguments). A syntax
/// error, an assignment or a definition is the error
/// [`ErrorKind::Syntax`] with its place, as [`eval`](crate::eval) gives.
/// Nesting is walked without recursion, so any depth the parser accepts
/// is fine.
///
/// ```
/// let sites = exprflow::call_sites("sqrt(2) * price(7)").unwrap();
/// let names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(names, ["sqrt", "price"]);
/// assert_eq!(&"sqrt(2) * price(7)"[sites[1].span.start..sites[1].span.end], "price(7)");
///
/// let error = exprflow::call_sites("x = f(1)").unwrap_err();
/// assert_eq!(error.kind, exprflow::ErrorKind::Syntax);
/// ```
pub fn call_sites(text: &str) -> Result<Vec<CallSite>, Error> {
    let mut ast = syntax::Ast::new();
    let statement = syntax::parse_statement(&mut ast, text, 0, syntax::DEFAULT_MAX_DEPTH)?;
    let root = match statement {
        Some(statement) if statement.target.is_none() => statement.expr,
        Some(statement) => {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                statement.span,
                "expected an expression, found an assignment",
            ));
        }
        None => {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                Span::new(text.len(), text.len()),
                "expected an expression",
            ));
        }
    };
    let mut sites = Vec::new();
    let mut stack = vec![(root, Reach::Always)];
    while let Some((id, reach)) = stack.pop() {
        let expr = ast.get(id);
        if let ExprKind::Call { name, args, .. } = &expr.kind {
            sites.push(CallSite {
                name: name.to_string(),
                span: expr.span,
                args: args.iter().map(|&arg| ast.get(arg).span).collect(),
                reach,
            });
            let lazy = &**name == "if" && args.len() == 3;
            for (position, &arg) in args.iter().enumerate().rev() {
                let inner = if lazy && position > 0 {
                    Reach::IfBranch
                } else {
                    reach
                };
                stack.push((arg, inner));
            }
        } else {
            for &child in ast.children(id).iter().rev() {
                stack.push((child, reach));
            }
        }
    }
    Ok(sites)
}
