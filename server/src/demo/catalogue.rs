//! The demo brand's product range and coupon templates. Fixed, whatever the seed: the
//! product images the server draws (`/demo/images/{id}.svg`) are made from this list alone.

/// A product line: a series, what kind of product, its price range and its look.
struct Line {
    series: &'static str,
    /// (item, spec kind, base price in yuan)
    items: &'static [(&'static str, Spec, i64)],
    /// The series' colour in the images.
    colour: &'static str,
}

#[derive(Clone, Copy)]
enum Spec {
    /// Sizes in ml: the base price is the smallest.
    Volume(&'static [u32]),
    /// Shades: the same price.
    Shade(&'static [&'static str]),
    /// One size.
    Single,
}

const LINES: &[Line] = &[
    Line {
        series: "焕颜",
        colour: "#B4533B",
        items: &[
            ("修护精华液", Spec::Volume(&[30, 50, 100]), 680),
            ("紧致面霜", Spec::Volume(&[30, 50]), 820),
            ("眼部精华", Spec::Volume(&[15, 20]), 560),
            ("修护水", Spec::Volume(&[150, 200]), 380),
            ("精华乳", Spec::Volume(&[75, 100]), 420),
        ],
    },
    Line {
        series: "水光",
        colour: "#2F7FB8",
        items: &[
            ("保湿精华水", Spec::Volume(&[150, 250]), 290),
            ("补水面膜", Spec::Single, 199),
            ("凝露面霜", Spec::Volume(&[50]), 360),
            ("保湿乳液", Spec::Volume(&[100, 150]), 260),
            ("洁面乳", Spec::Volume(&[100, 150]), 139),
        ],
    },
    Line {
        series: "臻白",
        colour: "#C9A227",
        items: &[
            ("淡斑精华", Spec::Volume(&[30, 50]), 720),
            ("亮肤水", Spec::Volume(&[150]), 340),
            ("焕白面霜", Spec::Volume(&[50]), 660),
            ("防晒乳 SPF50+", Spec::Volume(&[30, 50]), 260),
        ],
    },
    Line {
        series: "舒敏",
        colour: "#5B8C5A",
        items: &[
            ("舒缓修护霜", Spec::Volume(&[30, 50]), 420),
            ("屏障精华", Spec::Volume(&[30]), 480),
            ("温和洁面", Spec::Volume(&[120]), 168),
            ("舒缓喷雾", Spec::Volume(&[150, 300]), 180),
        ],
    },
    Line {
        series: "绒雾",
        colour: "#A3214A",
        items: &[
            (
                "丝绒唇膏",
                Spec::Shade(&["#01 正红", "#05 枫叶", "#12 豆沙", "#21 奶茶"]),
                320,
            ),
            (
                "柔焦粉底液",
                Spec::Shade(&["00 冷白", "01 亮白", "02 自然", "03 小麦"]),
                460,
            ),
            (
                "四色眼影盘",
                Spec::Shade(&["玫瑰金", "大地色", "蜜桃"]),
                520,
            ),
            ("控油散粉", Spec::Single, 380),
            ("自然眉笔", Spec::Shade(&["灰棕", "深棕"]), 160),
        ],
    },
    Line {
        series: "拾光",
        colour: "#6B4E9B",
        items: &[
            ("淡香水 白茶", Spec::Volume(&[30, 50, 100]), 560),
            ("淡香水 橙花", Spec::Volume(&[30, 50, 100]), 560),
            ("香氛蜡烛", Spec::Single, 380),
            ("护手霜礼盒", Spec::Single, 298),
        ],
    },
    Line {
        series: "男士",
        colour: "#37474F",
        items: &[
            ("控油洁面", Spec::Volume(&[120]), 168),
            ("清爽乳液", Spec::Volume(&[100]), 268),
            ("须后修护水", Spec::Volume(&[150]), 228),
        ],
    },
];

/// A product of the range: its source id, series, title, price (fen), skus and colour.
#[derive(Debug, Clone)]
pub struct Product {
    pub id: String,
    pub series: &'static str,
    pub title: String,
    pub price_fen: i64,
    /// (sku, spec, price in fen)
    pub skus: Vec<(String, String, i64)>,
    pub colour: &'static str,
    /// Relative popularity in orders.
    pub weight: u32,
}

/// The brand's whole range, in a fixed order.
pub fn products() -> Vec<Product> {
    let mut out = Vec::new();
    for line in LINES {
        for (item, spec, yuan) in line.items {
            let number = out.len() + 1;
            let id = format!("P{number:04}");
            let base = yuan * 100;
            let skus: Vec<(String, String, i64)> = match spec {
                Spec::Volume(sizes) => sizes
                    .iter()
                    .enumerate()
                    .map(|(i, ml)| {
                        // Bigger sizes cost less per ml, as shops price them.
                        let price = base * i64::from(*ml) / i64::from(sizes[0]) * 85 / 100;
                        let price = if i == 0 { base } else { price / 100 * 100 };
                        (format!("{id}-{ml}ML"), format!("{ml}ml"), price)
                    })
                    .collect(),
                Spec::Shade(shades) => shades
                    .iter()
                    .enumerate()
                    .map(|(i, shade)| (format!("{id}-S{:02}", i + 1), (*shade).to_owned(), base))
                    .collect(),
                Spec::Single => vec![(format!("{id}-STD"), "标准装".to_owned(), base)],
            };
            let weight = match number % 5 {
                0 => 9,
                1 => 6,
                2 => 4,
                3 => 3,
                _ => 2,
            };
            out.push(Product {
                id,
                series: line.series,
                title: format!("{}{item}", line.series),
                price_fen: base,
                skus,
                colour: line.colour,
                weight,
            });
        }
    }
    out
}

/// A coupon template the guides can send.
#[derive(Debug, Clone)]
pub struct Coupon {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    /// Cash: fen off; discount: per mille kept.
    pub value: i64,
    pub threshold_fen: i64,
    pub valid_days: i32,
    pub total_stock: i64,
    pub per_customer_limit: i32,
    /// Only the stores of this region (by index into `REGIONS`), or every store.
    pub region: Option<usize>,
}

pub const COUPONS: &[Coupon] = &[
    Coupon {
        id: "C001",
        name: "新客专享 满199减30",
        kind: "cash",
        value: 3000,
        threshold_fen: 19900,
        valid_days: 30,
        total_stock: 0,
        per_customer_limit: 1,
        region: None,
    },
    Coupon {
        id: "C002",
        name: "满500减80",
        kind: "cash",
        value: 8000,
        threshold_fen: 50000,
        valid_days: 14,
        total_stock: 200_000,
        per_customer_limit: 2,
        region: None,
    },
    Coupon {
        id: "C003",
        name: "满1000减200",
        kind: "cash",
        value: 20000,
        threshold_fen: 100_000,
        valid_days: 14,
        total_stock: 100_000,
        per_customer_limit: 1,
        region: None,
    },
    Coupon {
        id: "C004",
        name: "会员日 9折券",
        kind: "discount",
        value: 900,
        threshold_fen: 0,
        valid_days: 7,
        total_stock: 0,
        per_customer_limit: 1,
        region: None,
    },
    Coupon {
        id: "C005",
        name: "生日礼遇 8.5折",
        kind: "discount",
        value: 850,
        threshold_fen: 30000,
        valid_days: 30,
        total_stock: 0,
        per_customer_limit: 1,
        region: None,
    },
    Coupon {
        id: "C006",
        name: "导购专属 满300减50",
        kind: "cash",
        value: 5000,
        threshold_fen: 30000,
        valid_days: 15,
        total_stock: 50_000,
        per_customer_limit: 1,
        region: None,
    },
    Coupon {
        id: "C007",
        name: "到店体验券 面部护理",
        kind: "cash",
        value: 10000,
        threshold_fen: 0,
        valid_days: 30,
        total_stock: 20_000,
        per_customer_limit: 1,
        region: Some(0),
    },
    Coupon {
        id: "C008",
        name: "华南门店 满400减60",
        kind: "cash",
        value: 6000,
        threshold_fen: 40000,
        valid_days: 10,
        total_stock: 30_000,
        per_customer_limit: 1,
        region: Some(1),
    },
    Coupon {
        id: "C009",
        name: "华北门店 满400减60",
        kind: "cash",
        value: 6000,
        threshold_fen: 40000,
        valid_days: 10,
        total_stock: 30_000,
        per_customer_limit: 1,
        region: Some(2),
    },
    Coupon {
        id: "C010",
        name: "复购回馈 满800减150",
        kind: "cash",
        value: 15000,
        threshold_fen: 80000,
        valid_days: 20,
        total_stock: 80_000,
        per_customer_limit: 1,
        region: None,
    },
    Coupon {
        id: "C011",
        name: "彩妆专享 8.8折",
        kind: "discount",
        value: 880,
        threshold_fen: 20000,
        valid_days: 14,
        total_stock: 0,
        per_customer_limit: 2,
        region: None,
    },
    Coupon {
        id: "C012",
        name: "沉睡唤醒 满199减40",
        kind: "cash",
        value: 4000,
        threshold_fen: 19900,
        valid_days: 7,
        total_stock: 60_000,
        per_customer_limit: 1,
        region: None,
    },
];

/// The SVG the server answers for a product's image: the series' colour, a bottle, the
/// series and the item. `None` for an id not in the range.
pub fn product_image(id: &str) -> Option<String> {
    let product = products().into_iter().find(|p| p.id == id)?;
    let item = product.title.trim_start_matches(product.series);
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240"><rect width="240" height="240" fill="{c}" opacity="0.14"/><rect x="88" y="40" width="64" height="22" rx="4" fill="{c}"/><rect x="70" y="62" width="100" height="120" rx="18" fill="{c}"/><rect x="84" y="92" width="72" height="50" rx="6" fill="#fff" opacity="0.9"/><text x="120" y="124" font-size="20" text-anchor="middle" fill="{c}" font-family="sans-serif">{s}</text><text x="120" y="214" font-size="18" text-anchor="middle" fill="#333" font-family="sans-serif">{i}</text></svg>"##,
        c = product.colour,
        s = xml_text(product.series),
        i = xml_text(item),
    ))
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_has_unique_ids_and_skus_and_every_product_an_image() {
        let products = products();
        assert!(products.len() >= 30);
        let mut skus = std::collections::HashSet::new();
        for product in &products {
            assert!(!product.skus.is_empty());
            for (sku, _, price) in &product.skus {
                assert!(skus.insert(sku.clone()), "{sku} twice");
                assert!(*price > 0);
            }
            let svg = product_image(&product.id).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains(product.series));
        }
        assert!(product_image("P9999").is_none());
        assert!(product_image("../etc").is_none());
    }
}
