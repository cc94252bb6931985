//! What the browser-only code of several pages shares.

use wasm_bindgen::JsCast;

/// The elements a `querySelectorAll` found (none when it failed).
pub fn elements(
    found: Result<web_sys::NodeList, wasm_bindgen::JsValue>,
) -> impl Iterator<Item = web_sys::Element> {
    let list = found.ok();
    let count = list.as_ref().map_or(0, web_sys::NodeList::length);
    (0..count).filter_map(move |i| {
        list.as_ref()?
            .item(i)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
    })
}
