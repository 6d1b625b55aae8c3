//! The longer texts of `--help`: examples and a summary of the language.

/// The language in one paragraph, shown by every subcommand's `--help`.
const LANGUAGE: &str = "\
Language: numbers (42, 1_000, 3.25, .5, 1e3; every literal is exact, so 0.1 is 1/10), \
+ - * / (exact division) // (floor) % ^ or ** (power, right-associative) and n! \
(factorial); functions such as sqrt, fact, gcd, min, max, float, exact, and \
delay(x, ms) (x after ms milliseconds, waiting without a worker) and busy(x, ms) \
(x after ms of CPU work); constants pi, e, tau; comparisons < <= > >= == != give 1 \
or 0, and if(c, a, b) evaluates only the branch taken; `name = expr` binds a variable \
and `f(x, y) = expr` defines a function for later statements; # starts a comment. \
Independent subexpressions run concurrently and shared ones (calls too) are \
computed once.";

/// After `exprflow --help`.
pub const TOP: &str = "\
Without a command, exprflow is the REPL when stdin is a terminal, and `batch` when \
stdin is a pipe or a file (`echo 1+2 | exprflow` prints 3).

Examples:
  exprflow eval '(3+7)*(2+8)*((2*3)-1)'        # 500
  printf 'x = 2^10\\nx - 1\\n' | exprflow          # 1024, then 1023
  exprflow                                     # the REPL; :help inside";

/// After `exprflow eval --help`.
pub fn eval() -> String {
    format!(
        "{LANGUAGE}

Examples:
  exprflow eval '1/3 + 1/6' '2^-1' 'sqrt(2)'     # 0.5, 0.5, 1.4142135623730951
  exprflow eval 'x = 4' 'x^2'                    # 4, then 16 (one batch)
  exprflow eval --stats 'delay(1,300) + busy(2,300)'
  exprflow eval -- -2^2                          # -4 (`--` ends the options)"
    )
}

/// After `exprflow batch --help`.
pub fn batch() -> String {
    format!(
        "{LANGUAGE}

One line on stdout per statement, in input order: its value or `error: ...` \
(carets on stderr); blank and comment-only lines are skipped.

Examples:
  printf 'x = delay(2,300)\\ny = delay(3,300)\\nx*y\\n' | exprflow batch   # 0.3 s, not 0.6 s
  exprflow batch --as-completed lines.txt    # `LINE: value` as each finishes
  exprflow batch --timeline run.svg lines.txt"
    )
}

/// After `exprflow repl --help`.
pub fn repl() -> String {
    format!(
        "{LANGUAGE}

In the REPL, --stats, --trace, --timeline and --dot apply to every statement \
(the files are rewritten each time; :stats, :timeline and :dot switch them). \
:help lists the commands; exit, quit or Ctrl-D leaves.

Examples:
  exprflow repl
  exprflow repl --stats -j 2
  exprflow repl --timeline last.svg"
    )
}
