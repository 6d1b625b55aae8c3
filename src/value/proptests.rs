//! Property tests of the arithmetic laws and the output format.

use dashu::integer::IBig;
use dashu::rational::RBig;
use proptest::prelude::*;

use super::*;

fn lim() -> Limits {
    Limits::default()
}

/// Exact values: small and big integers, and rationals.
fn exact() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from_i64),
        (-1000i64..1000).prop_map(Value::from_i64),
        ("-?[1-9][0-9]{18,60}")
            .prop_map(|s| Value::from_ibig(IBig::from_str_radix(&s, 10).unwrap())),
        (any::<i64>(), 1u64..u64::MAX)
            .prop_map(|(n, d)| Value::from_rbig(RBig::from_parts(n.into(), d.into()))),
        (-100i64..100, 1u64..100)
            .prop_map(|(n, d)| Value::from_rbig(RBig::from_parts(n.into(), d.into()))),
        // terminating decimals
        (any::<i32>(), 0usize..20, 0usize..20).prop_map(|(n, a, b)| {
            let d = dashu::integer::UBig::from(2u8).pow(a) * dashu::integer::UBig::from(5u8).pow(b);
            Value::from_rbig(RBig::from_parts(n.into(), d))
        }),
    ]
}

fn float() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1e6f64..1e6).prop_map(Value::Float),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::Float),
    ]
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![3 => exact(), 1 => float()]
}

fn is_zero(v: &Value) -> bool {
    exact_cmp(v, &Value::from_i64(0)) == std::cmp::Ordering::Equal
}

proptest! {
    #[test]
    fn addition_and_multiplication_commute(a in any_value(), b in any_value()) {
        for op in [BinOp::Add, BinOp::Mul] {
            // Error messages name the operands in order; compare the kinds.
            let kind = |r: Result<Value, Fault>| r.map_err(|e| std::mem::discriminant(&e));
            prop_assert_eq!(kind(binary(op, &a, &b, &lim())), kind(binary(op, &b, &a, &lim())));
        }
    }

    #[test]
    fn multiplication_then_division_round_trips(a in exact(), b in exact()) {
        prop_assume!(!is_zero(&b));
        let ab = binary(BinOp::Mul, &a, &b, &lim()).unwrap();
        prop_assert_eq!(binary(BinOp::Div, &ab, &b, &lim()).unwrap(), a);
    }

    #[test]
    fn floor_division_and_modulo_agree(a in exact(), b in exact()) {
        prop_assume!(!is_zero(&b));
        let q = binary(BinOp::FloorDiv, &a, &b, &lim()).unwrap();
        let r = binary(BinOp::Mod, &a, &b, &lim()).unwrap();
        prop_assert!(matches!(q, Value::Int(_)));
        let back = binary(BinOp::Mul, &q, &b, &lim()).unwrap();
        let back = binary(BinOp::Add, &back, &r, &lim()).unwrap();
        prop_assert_eq!(back, a);
        // the remainder has the sign of b and is smaller than it
        let zero = Value::from_i64(0);
        if !is_zero(&r) {
            prop_assert_eq!(exact_cmp(&r, &zero), exact_cmp(&b, &zero));
        }
        let abs = |v: &Value| call(Builtin::Abs, std::slice::from_ref(v), &lim()).unwrap();
        prop_assert_eq!(exact_cmp(&abs(&r), &abs(&b)), std::cmp::Ordering::Less);
    }

    #[test]
    fn subtraction_inverts_addition(a in exact(), b in exact()) {
        let s = binary(BinOp::Add, &a, &b, &lim()).unwrap();
        prop_assert_eq!(binary(BinOp::Sub, &s, &b, &lim()).unwrap(), a);
    }

    #[test]
    fn display_parses_back(x in exact()) {
        let text = x.to_string();
        prop_assume!(!text.contains('/'));
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let parsed = parse_literal(digits, &lim()).unwrap();
        let parsed = if negative { unary(UnOp::Neg, &parsed, &lim()).unwrap() } else { parsed };
        prop_assert_eq!(parsed, x);
    }

    #[test]
    fn rationals_print_as_fraction_only_when_not_terminating(x in exact()) {
        let text = x.to_string();
        if let Value::Rat(r) = &x {
            let mut d = r.denominator().clone();
            while &d % 2u8 == 0 { d /= 2u8; }
            while &d % 5u8 == 0 { d /= 5u8; }
            prop_assert_eq!(text.contains('/'), !d.is_one());
        } else {
            prop_assert!(!text.contains('/') && !text.contains('.'));
        }
    }

    #[test]
    fn floats_print_shortest_round_trip(x in float()) {
        let text = x.to_string();
        prop_assert!(text.contains('.') || text.contains('e'));
        if let Value::Float(v) = x {
            prop_assert_eq!(text.parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn exact_of_float_is_exact_and_converts_back(x in float()) {
        let e = call(Builtin::Exact, std::slice::from_ref(&x), &lim()).unwrap();
        prop_assert!(e.is_exact());
        prop_assert_eq!(exact_cmp(&e, &x), std::cmp::Ordering::Equal);
        prop_assert_eq!(call(Builtin::Float, &[e], &lim()).unwrap(), x);
    }

    #[test]
    fn min_max_are_consistent(a in any_value(), b in any_value()) {
        let mn = call(Builtin::Min, &[a.clone(), b.clone()], &lim()).unwrap();
        let mx = call(Builtin::Max, &[a.clone(), b.clone()], &lim()).unwrap();
        prop_assert_ne!(exact_cmp(&mn, &mx), std::cmp::Ordering::Greater);
        prop_assert!(mn == a || mn == b);
        prop_assert!(mx == a || mx == b);
    }

    #[test]
    fn rounding_brackets_the_value(x in any_value()) {
        let fl = call(Builtin::Floor, std::slice::from_ref(&x), &lim()).unwrap();
        let ce = call(Builtin::Ceil, std::slice::from_ref(&x), &lim()).unwrap();
        let ro = call(Builtin::Round, std::slice::from_ref(&x), &lim()).unwrap();
        prop_assert_ne!(exact_cmp(&fl, &x), std::cmp::Ordering::Greater);
        prop_assert_ne!(exact_cmp(&ce, &x), std::cmp::Ordering::Less);
        prop_assert!(ro == fl || ro == ce);
    }

    #[test]
    fn literal_parser_never_panics(s in "[0-9_.eE+-]{0,12}") {
        let _ = parse_literal(&s, &lim());
    }

    #[test]
    fn nothing_panics(a in any_value(), b in any_value(), op in 0usize..7) {
        let ops = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div, BinOp::FloorDiv, BinOp::Mod, BinOp::Pow];
        let small = Limits { max_bits: 4096 };
        let _ = binary(ops[op], &a, &b, &small);
        for &f in Builtin::ALL {
            let _ = call(f, std::slice::from_ref(&a), &small);
            let _ = call(f, &[a.clone(), b.clone()], &small);
        }
    }
}

/// A signed big integer of up to 12,000 random bytes (96,000 bits, about
/// 29,000 digits): both sides of the size where output leaves dashu's
/// `Display` for `decimal.rs`. Zero included.
fn big_ibig() -> impl Strategy<Value = IBig> {
    (
        prop::collection::vec(any::<u8>(), 0..12_000),
        any::<bool>(),
        0usize..3000,
    )
        .prop_map(|(bytes, negative, zeros)| {
            // Times 10^zeros: runs of zero digits at the end, as in factorials.
            let n = IBig::from(dashu::integer::UBig::from_le_bytes(&bytes))
                * IBig::from(10u8).pow(zeros);
            if negative { -n } else { n }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn big_integers_print_as_dashu_does(n in big_ibig()) {
        prop_assert_eq!(Value::from_ibig(n.clone()).to_string(), n.to_string());
    }

    #[test]
    fn big_products_are_dashu_products(a in big_ibig(), b in big_ibig(), small in any::<i64>()) {
        let lim = Limits { max_bits: u64::MAX };
        let (x, y) = (Value::from_ibig(a.clone()), Value::from_ibig(b.clone()));
        prop_assert_eq!(binary(BinOp::Mul, &x, &y, &lim).unwrap(), Value::from_ibig(&a * &b));
        let s = Value::from_i64(small);
        prop_assert_eq!(binary(BinOp::Mul, &x, &s, &lim).unwrap(), Value::from_ibig(&a * IBig::from(small)));
        prop_assert_eq!(binary(BinOp::Mul, &s, &y, &lim).unwrap(), Value::from_ibig(IBig::from(small) * &b));
    }

    #[test]
    fn big_sums_and_differences_are_dashu_ones(a in big_ibig(), b in big_ibig(), small in any::<i64>(), other in any::<i64>()) {
        let (x, y) = (Value::from_ibig(a.clone()), Value::from_ibig(b.clone()));
        let s = Value::from_i64(small);
        prop_assert_eq!(binary(BinOp::Add, &x, &y, &lim()).unwrap(), Value::from_ibig(&a + &b));
        prop_assert_eq!(binary(BinOp::Sub, &x, &y, &lim()).unwrap(), Value::from_ibig(&a - &b));
        prop_assert_eq!(binary(BinOp::Sub, &s, &y, &lim()).unwrap(), Value::from_ibig(IBig::from(small) - &b));
        prop_assert_eq!(binary(BinOp::Add, &x, &s, &lim()).unwrap(), Value::from_ibig(&a + IBig::from(small)));
        // Two i64s whose product overflows go through i128.
        let o = Value::from_i64(other);
        prop_assert_eq!(
            binary(BinOp::Mul, &s, &o, &lim()).unwrap(),
            Value::from_ibig(IBig::from(small) * IBig::from(other))
        );
    }

    #[test]
    fn big_rationals_print_as_before(p in big_ibig(), q in big_ibig(), a in 0usize..400, b in 0usize..400) {
        use dashu::base::UnsignedAbs;
        use dashu::integer::UBig;
        // Not terminating: p / q as dashu writes its parts.
        let q = q.unsigned_abs() + UBig::ONE;
        let r = RBig::from_parts(p.clone(), q);
        if let Value::Rat(rat) = Value::from_rbig(r.clone()) {
            let text = Value::Rat(rat.clone()).to_string();
            if text.contains('/') {
                prop_assert_eq!(text, format!("{}/{}", r.numerator(), r.denominator()));
            }
        }
        // Terminating: p / (2^a 5^b), the digits of p·2^(m-a)·5^(m-b)
        // (m = max(a, b)) with the point m places from the right.
        let d = UBig::from(2u8).pow(a) * UBig::from(5u8).pow(b);
        let v = Value::from_rbig(RBig::from_parts(p.clone(), d));
        if let Value::Rat(rat) = &v {
            let m = a.max(b);
            let scaled = p.unsigned_abs() * UBig::from(2u8).pow(m - a) * UBig::from(5u8).pow(m - b);
            // The fraction in lowest terms may need fewer places; pad to m
            // and strip the trailing zeros that lowest terms would drop.
            let digits = format!("{:0>width$}", scaled.to_string(), width = m + 1);
            let (int, frac) = digits.split_at(digits.len() - m);
            let frac = frac.trim_end_matches('0');
            let sign = if rat.is_negative() { "-" } else { "" };
            prop_assert_eq!(v.to_string(), format!("{sign}{int}.{frac}"));
        }
    }
}
