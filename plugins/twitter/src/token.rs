//! The syndication endpoint's `token`: `(id / 1e15 * π)` written in base 36
//! the way JavaScript's `Number.prototype.toString(36)` does, with every `0`
//! and the `.` removed.

pub fn for_id(id: &str) -> String {
    let value = id.parse::<f64>().unwrap_or(0.0) / 1e15 * std::f64::consts::PI;
    to_radix36(value).replace(['0', '.'], "")
}

fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

/// Shortest base-36 digits that read back as `value` (positive, finite), as JS prints them.
fn to_radix36(value: f64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut integer = value.floor();
    let mut fraction = value - integer;
    let mut delta = (0.5 * (next_up(value) - value)).max(next_up(0.0));
    let mut frac: Vec<u8> = Vec::new();
    if fraction >= delta {
        loop {
            fraction *= 36.0;
            delta *= 36.0;
            let digit = fraction as u8;
            frac.push(digit);
            fraction -= digit as f64;
            if (fraction > 0.5 || (fraction == 0.5 && digit & 1 == 1)) && fraction + delta > 1.0 {
                // Round up, carrying into earlier digits (or the integer part).
                loop {
                    match frac.pop() {
                        Some(d) if d + 1 < 36 => {
                            frac.push(d + 1);
                            break;
                        }
                        Some(_) => continue,
                        None => {
                            integer += 1.0;
                            break;
                        }
                    }
                }
                break;
            }
            if fraction < delta {
                break;
            }
        }
    }
    let mut int_digits = Vec::new();
    loop {
        let d = (integer % 36.0) as usize;
        int_digits.push(DIGITS[d]);
        integer = ((integer - d as f64) / 36.0).floor();
        if integer < 1.0 {
            break;
        }
    }
    int_digits.reverse();
    let mut out = String::from_utf8(int_digits).unwrap();
    if !frac.is_empty() {
        out.push('.');
        out.extend(frac.iter().map(|&d| DIGITS[d as usize] as char));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values whose JS `toString(36)` is known exactly.
    #[test]
    fn matches_javascript_base36() {
        assert_eq!(to_radix36(35.0), "z");
        assert_eq!(to_radix36(36.0), "10");
        assert_eq!(to_radix36(0.5), "0.i");
        assert_eq!(to_radix36(1295.75), "zz.r");
        assert!(!for_id("1682484564325908480").contains(['0', '.']));
    }
}
