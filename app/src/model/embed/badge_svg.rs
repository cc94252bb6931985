//! A badge drawn as SVG in shields.io's layout: a grey label and a coloured message,
//! each as wide as its text measured in Verdana (the font badges are drawn in) plus
//! padding. Each text also carries its measured width as `textLength`, so a browser
//! drawing it in a wider fallback font squeezes it to fit rather than overflowing.
//! All text is escaped; colours are only shields.io's names or hex.

use super::badge::{Badge, BadgeStyle, DEFAULT_COLOR};
use crate::model::docs::html;

/// Verdana's advance widths for ASCII ' ' to '~', in font units (2048 to the em).
const VERDANA: [u16; 95] = [
    // ' ' ! " # $ % & ' ( ) * + , - . /
    720, 817, 1067, 1876, 1303, 2220, 1488, 557, 909, 909, 1303, 1876, 745, 909, 745, 1303,
    // 0 … 9
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, // : ; < = > ? @
    909, 909, 1876, 1876, 1876, 1112, 2048, // A … Z
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 862, 931, 1419, 1165, 1726, 1532, 1612, 1240,
    1612, 1427, 1401, 1241, 1503, 1401, 2027, 1405, 1241, 1401, // [ \ ] ^ _ `
    909, 1303, 909, 1876, 1303, 1303, // a … z
    1229, 1276, 1067, 1276, 1220, 720, 1276, 1296, 562, 677, 1198, 562, 1992, 1296, 1243, 1276,
    1276, 874, 1067, 807, 1296, 1198, 1665, 1198, 1198, 1067, // { | } ~
    1303, 909, 1303, 1876,
];

/// Verdana Bold is about this much wider than Verdana.
const BOLD: f64 = 1.12;

/// Longer text is cut, with an ellipsis: a badge is a line, not a paragraph.
const MAX_CHARS: usize = 100;

/// The width of `text` in Verdana at `size` px: ASCII from Verdana's metrics, wide
/// (CJK) characters an em, any other character as wide as a digit.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            code @ 32..=126 => u32::from(VERDANA[(code - 32) as usize]),
            0x1100..=0x115f | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff => 2048,
            0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6 | 0x1f300..=0x1faff => 2048,
            0x20000..=0x3fffd => 2048,
            _ => 1303,
        })
        .sum();
    f64::from(units) * size / 2048.0 * if bold { BOLD } else { 1.0 }
}

/// `color` as an SVG fill: a shields.io colour name's value, or `#rrggbb` / `#rgb`
/// (with or without `#`); anything else is the default colour.
pub fn fill(color: &str) -> String {
    let named = match color.to_ascii_lowercase().as_str() {
        "brightgreen" | "success" => Some("#4c1"),
        "green" => Some("#97ca00"),
        "yellowgreen" => Some("#a4a61d"),
        "yellow" => Some("#dfb317"),
        "orange" | "important" => Some("#fe7d37"),
        "red" | "critical" => Some("#e05d44"),
        "blue" | "informational" => Some("#007ec6"),
        "grey" | "gray" => Some("#555"),
        "lightgrey" | "lightgray" | "inactive" => Some("#9f9f9f"),
        _ => None,
    };
    if let Some(named) = named {
        return named.to_owned();
    }
    let hex = color.strip_prefix('#').unwrap_or(color);
    match matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        true => format!("#{}", hex.to_ascii_lowercase()),
        false => DEFAULT_COLOR.to_owned(),
    }
}

/// Whether dark text reads better than white on `fill` (`#rgb` or `#rrggbb`), by
/// shields.io's brightness rule.
fn is_light(fill: &str) -> bool {
    let hex = fill.trim_start_matches('#');
    let channel = |i: usize| -> f64 {
        let digits = match hex.len() {
            3 => hex[i..=i].repeat(2),
            _ => hex[2 * i..2 * i + 2].to_owned(),
        };
        f64::from(u8::from_str_radix(&digits, 16).unwrap_or(0))
    };
    (channel(0) * 299.0 + channel(1) * 587.0 + channel(2) * 114.0) / 255_000.0 >= 0.69
}

/// `text` safe inside an XML element or attribute: HTML's escapes, and the control
/// characters XML 1.0 does not allow turned into spaces.
fn escape(text: &str) -> String {
    let allowed: String = text
        .chars()
        .map(
            |c| match (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
                true => ' ',
                false => c,
            },
        )
        .collect();
    html::escape(&allowed)
}

/// `text` cut to [`MAX_CHARS`], on one line.
fn one_line(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.chars().count() > MAX_CHARS {
        true => line.chars().take(MAX_CHARS - 1).chain(['…']).collect(),
        false => line,
    }
}

/// One half of a badge as laid out: its text, where it starts and how wide it is.
struct Part {
    text: String,
    x: f64,
    width: f64,
    text_width: f64,
    bold: bool,
    fill: String,
}

/// How each style sizes things.
struct Metrics {
    height: f64,
    font_size: f64,
    padding: f64,
    letter_spacing: f64,
    baseline: f64,
    radius: f64,
}

impl Metrics {
    fn of(style: BadgeStyle) -> Self {
        match style {
            BadgeStyle::Flat | BadgeStyle::FlatSquare => Metrics {
                height: 20.0,
                font_size: 11.0,
                padding: 5.0,
                letter_spacing: 0.0,
                baseline: 14.0,
                radius: if style == BadgeStyle::Flat { 3.0 } else { 0.0 },
            },
            BadgeStyle::ForTheBadge => Metrics {
                height: 28.0,
                font_size: 10.0,
                padding: 9.0,
                letter_spacing: 1.0,
                baseline: 17.5,
                radius: 0.0,
            },
        }
    }

    /// `text` laid out from `x`; bold for the message of a for-the-badge.
    fn part(&self, text: &str, x: f64, bold: bool, fill: String) -> Part {
        let measured = text_width(text, self.font_size, bold)
            + self.letter_spacing * text.chars().count() as f64;
        let text_width = measured.ceil();
        let width = match text.is_empty() {
            true => 0.0,
            false => text_width + 2.0 * self.padding,
        };
        Part {
            text: text.to_owned(),
            x,
            width,
            text_width,
            bold,
            fill,
        }
    }
}

/// `badge` drawn in `style`: a complete SVG document.
pub fn render(badge: &Badge, style: BadgeStyle) -> String {
    let metrics = Metrics::of(style);
    let upper = |text: &str| match style {
        BadgeStyle::ForTheBadge => one_line(text).to_uppercase(),
        _ => one_line(text),
    };
    let (label, message) = (upper(&badge.label), upper(&badge.message));
    let label = metrics.part(&label, 0.0, false, "#555".to_owned());
    let message = metrics.part(
        &message,
        label.width,
        style == BadgeStyle::ForTheBadge,
        fill(&badge.color),
    );
    let width = label.width + message.width;
    let height = metrics.height;
    let title = escape(&match label.text.is_empty() {
        true => message.text.clone(),
        false => format!("{}: {}", label.text, message.text),
    });

    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{title}\"><title>{title}</title>"
    );
    if style == BadgeStyle::Flat {
        svg.push_str(
            "<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" \
             stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" \
             stop-opacity=\".1\"/></linearGradient>",
        );
    }
    svg.push_str(&format!(
        "<clipPath id=\"r\"><rect width=\"{width}\" height=\"{height}\" rx=\"{}\" \
         fill=\"#fff\"/></clipPath><g clip-path=\"url(#r)\">",
        metrics.radius
    ));
    for part in [&label, &message].into_iter().filter(|p| p.width > 0.0) {
        svg.push_str(&format!(
            "<rect x=\"{}\" width=\"{}\" height=\"{height}\" fill=\"{}\"/>",
            part.x, part.width, part.fill
        ));
    }
    if style == BadgeStyle::Flat {
        svg.push_str(&format!(
            "<rect width=\"{width}\" height=\"{height}\" fill=\"url(#s)\"/>"
        ));
    }
    svg.push_str(&format!(
        "</g><g text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" \
         text-rendering=\"geometricPrecision\" font-size=\"{}\"{}>",
        metrics.font_size,
        if metrics.letter_spacing > 0.0 {
            format!(" letter-spacing=\"{}\"", metrics.letter_spacing)
        } else {
            String::new()
        }
    ));
    for part in [&label, &message].into_iter().filter(|p| p.width > 0.0) {
        svg.push_str(&text_element(part, &metrics));
    }
    svg.push_str("</g></svg>");
    svg
}

/// A part's text, centred, with a shadow below it on the flat styles.
fn text_element(part: &Part, metrics: &Metrics) -> String {
    let (color, shadow) = match is_light(&part.fill) {
        true => ("#333", "#ccc"),
        false => ("#fff", "#010101"),
    };
    let x = part.x + part.width / 2.0;
    let text = escape(&part.text);
    let length = part.text_width;
    let weight = if part.bold {
        " font-weight=\"bold\""
    } else {
        ""
    };
    let fitted = format!("textLength=\"{length}\" lengthAdjust=\"spacingAndGlyphs\"{weight}");
    let mut element = String::new();
    if metrics.letter_spacing == 0.0 {
        element.push_str(&format!(
            "<text x=\"{x}\" y=\"{}\" fill=\"{shadow}\" fill-opacity=\".3\" {fitted} \
             aria-hidden=\"true\">{text}</text>",
            metrics.baseline + 1.0
        ));
    }
    element.push_str(&format!(
        "<text x=\"{x}\" y=\"{}\" fill=\"{color}\" {fitted}>{text}</text>",
        metrics.baseline
    ));
    element
}

#[cfg(test)]
mod tests {
    use super::*;

    fn badge(label: &str, message: &str, color: &str) -> Badge {
        Badge {
            color: color.to_owned(),
            ..Badge::error(label, message)
        }
    }

    /// The value of `attribute` on the first element named `element` in `svg`.
    fn attribute(svg: &str, element: &str, attribute: &str) -> String {
        let start = svg.find(&format!("<{element} ")).unwrap();
        let tag = &svg[start..start + svg[start..].find('>').unwrap()];
        let at = tag.find(&format!(" {attribute}=\"")).unwrap() + attribute.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].to_owned()
    }

    #[test]
    fn text_is_measured_in_verdana() {
        // shields.io's "build | passing" is 37 + 51 px: text and 10 px of padding each.
        assert_eq!(text_width("build", 11.0, false).ceil(), 27.0);
        assert_eq!(text_width("passing", 11.0, false).ceil(), 42.0);
        assert!(text_width("WWW", 11.0, false) > text_width("iii", 11.0, false) * 3.0);
        assert!(text_width("日本", 11.0, false) >= 22.0);
    }

    #[test]
    fn each_part_is_as_wide_as_its_text_and_padding() {
        let svg = render(
            &badge("lifecycle", "production", "brightgreen"),
            BadgeStyle::Flat,
        );
        let label = text_width("lifecycle", 11.0, false).ceil() + 10.0;
        let message = text_width("production", 11.0, false).ceil() + 10.0;
        assert_eq!(
            attribute(&svg, "svg", "width"),
            (label + message).to_string()
        );
        assert_eq!(attribute(&svg, "svg", "height"), "20");
        assert!(svg.contains(&format!(
            "<rect x=\"{label}\" width=\"{message}\" height=\"20\" fill=\"#4c1\"/>"
        )));
        assert!(svg.contains("rx=\"3\""), "flat is rounded");
        assert!(render(&badge("a", "b", "red"), BadgeStyle::FlatSquare).contains("rx=\"0\""));
        let tall = render(&badge("owner", "team-a", "blue"), BadgeStyle::ForTheBadge);
        assert_eq!(attribute(&tall, "svg", "height"), "28");
        assert!(tall.contains(">TEAM-A</text>") && tall.contains("font-weight=\"bold\""));
    }

    #[test]
    fn text_on_light_colours_is_dark() {
        let svg = render(&badge("a", "b", "#ffd700"), BadgeStyle::FlatSquare);
        assert!(svg.contains("fill=\"#333\" textLength"), "{svg}");
        let svg = render(&badge("a", "b", "#007ec6"), BadgeStyle::FlatSquare);
        assert!(!svg.contains("fill=\"#333\""), "{svg}");
    }

    #[test]
    fn colours_are_names_or_hex_and_nothing_else() {
        assert_eq!(fill("brightgreen"), "#4c1");
        assert_eq!(fill("ABCDEF"), "#abcdef");
        assert_eq!(fill("#abc"), "#abc");
        assert_eq!(fill("\"/><script>"), DEFAULT_COLOR);
        assert_eq!(fill("url(#x)"), DEFAULT_COLOR);
    }

    #[test]
    fn entity_text_is_text_never_markup() {
        let svg = render(
            &badge("<script>alert(1)</script>", "a&b \"c\" 'd'\u{1}", "red"),
            BadgeStyle::Flat,
        );
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("a&amp;b &quot;c&quot; &#39;d&#39;"));
        assert!(!svg.contains('\u{1}'));
    }

    #[test]
    fn long_text_is_cut_and_an_empty_label_leaves_the_message_alone() {
        let long = "x".repeat(500);
        let svg = render(&badge("label", &long, "red"), BadgeStyle::FlatSquare);
        assert!(svg.contains(&format!("{}…", "x".repeat(MAX_CHARS - 1))));
        let alone = render(&badge("", "only", "red"), BadgeStyle::FlatSquare);
        let width = text_width("only", 11.0, false).ceil() + 10.0;
        assert_eq!(attribute(&alone, "svg", "width"), width.to_string());
        assert_eq!(alone.matches("<rect x=").count(), 1);
    }
}
