//! The words the demo brand is made of: names, places, carriers and tags, as a Chinese
//! retail brand's data would hold them. Tables of data more than code, hence over the house's
//! 400 lines: split, they would be harder to read, not easier.

use super::random::Rng;

/// Surnames, the common ones more often (by rough frequency).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 70),
    ("张", 66),
    ("刘", 53),
    ("陈", 46),
    ("杨", 31),
    ("黄", 24),
    ("赵", 21),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 14),
    ("马", 13),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("林", 9),
    ("高", 9),
    ("罗", 9),
    ("郑", 8),
    ("梁", 8),
    ("谢", 6),
    ("宋", 6),
    ("唐", 6),
    ("许", 5),
    ("韩", 5),
    ("冯", 5),
    ("邓", 5),
    ("曹", 5),
    ("彭", 4),
    ("曾", 4),
    ("肖", 4),
    ("田", 4),
    ("董", 4),
    ("袁", 3),
    ("潘", 3),
    ("蒋", 3),
    ("蔡", 3),
    ("余", 3),
    ("杜", 3),
    ("叶", 3),
    ("程", 3),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("沈", 2),
    ("姚", 2),
    ("卢", 2),
    ("欧阳", 1),
    ("司马", 1),
    ("上官", 1),
];

const GIVEN_FEMALE: &[&str] = &[
    "娜", "芳", "静", "丽", "敏", "婷", "雪", "琳", "颖", "倩", "欣", "怡", "佳", "悦", "瑶", "晶",
    "妍", "萱", "雯", "璐", "露", "燕", "霞", "慧", "梦", "诗", "思", "雨", "晓", "玉", "梅", "兰",
    "月", "菲", "蕾", "薇", "彤", "涵", "可", "馨",
];

const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "斌", "浩", "鹏", "宇", "辉", "凯",
    "俊", "峰", "晨", "航", "博", "文", "建", "志", "海", "天", "子", "然", "泽", "毅",
];

/// A Chinese full name: a surname and one or two given characters.
pub fn person_name(rng: &mut Rng, female: bool) -> String {
    let weights: Vec<u32> = SURNAMES.iter().map(|(_, w)| *w).collect();
    let surname = SURNAMES[rng.weighted(&weights)].0;
    let given = if female { GIVEN_FEMALE } else { GIVEN_MALE };
    let mut name = String::from(surname);
    name.push_str(rng.pick::<&str>(given));
    if rng.chance(0.6) {
        name.push_str(rng.pick::<&str>(given));
    }
    name
}

/// How a guide sees a customer in WeCom: a WeChat nickname more often than a real name.
pub fn wechat_name(rng: &mut Rng, real_name: &str, female: bool) -> String {
    const NICKNAMES: &[&str] = &[
        "小鱼儿",
        "晴天",
        "Coco",
        "Amy",
        "Lily",
        "阳光",
        "向日葵",
        "一只猫",
        "木子",
        "大橙子",
        "Vivian",
        "Grace",
        "Kevin",
        "Jason",
        "安然",
        "简单",
        "微笑",
        "半夏",
        "初心",
        "Momo",
    ];
    match rng.below(10) {
        0..=5 => real_name.to_owned(),
        6 | 7 => {
            let surname: String = real_name.chars().take(1).collect();
            format!("{surname}{}", if female { "小姐" } else { "先生" })
        }
        _ => rng.pick(NICKNAMES).to_string(),
    }
}

/// Mobile prefixes of the three carriers.
const MOBILE_PREFIXES: &[&str] = &[
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177",
    "180", "189", "199",
];

/// A mainland mobile number unique to `serial` (the last 8 digits are the serial, scrambled).
pub fn mobile(rng: &mut Rng, serial: u64) -> String {
    let prefix = rng.pick(MOBILE_PREFIXES);
    // An odd multiplier is a bijection on 0..10^8 only modulo powers of two; a multiplier
    // coprime with 10^8 (no factor 2 or 5) keeps distinct serials distinct.
    let scrambled = (serial % 100_000_000).wrapping_mul(73_939_133) % 100_000_000;
    format!("{prefix}{scrambled:08}")
}

/// A region and its cities, with the malls the brand's stores stand in.
pub struct Region {
    pub name: &'static str,
    pub cities: &'static [(&'static str, &'static str)],
}

/// (city, province) per region; stores are spread over them.
pub const REGIONS: &[Region] = &[
    Region {
        name: "华东",
        cities: &[
            ("上海", "上海市"),
            ("杭州", "浙江省"),
            ("南京", "江苏省"),
            ("苏州", "江苏省"),
            ("宁波", "浙江省"),
            ("合肥", "安徽省"),
        ],
    },
    Region {
        name: "华南",
        cities: &[
            ("广州", "广东省"),
            ("深圳", "广东省"),
            ("厦门", "福建省"),
            ("福州", "福建省"),
        ],
    },
    Region {
        name: "华北",
        cities: &[
            ("北京", "北京市"),
            ("天津", "天津市"),
            ("济南", "山东省"),
            ("青岛", "山东省"),
        ],
    },
    Region {
        name: "华中",
        cities: &[("武汉", "湖北省"), ("长沙", "湖南省"), ("郑州", "河南省")],
    },
    Region {
        name: "西南",
        cities: &[("成都", "四川省"), ("重庆", "重庆市"), ("昆明", "云南省")],
    },
    Region {
        name: "西北",
        cities: &[("西安", "陕西省")],
    },
    Region {
        name: "东北",
        cities: &[("沈阳", "辽宁省"), ("大连", "辽宁省")],
    },
];

pub const MALLS: &[&str] = &[
    "万象城",
    "大悦城",
    "银泰百货",
    "恒隆广场",
    "太古里",
    "来福士",
    "万达广场",
    "龙湖天街",
    "IFS国金中心",
    "K11",
    "印象城",
    "SKP",
    "德基广场",
    "新世界百货",
    "吾悦广场",
    "合生汇",
];

pub const STREETS: &[&str] = &[
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "南京路",
    "淮海路",
    "长江路",
    "和平路",
    "新华路",
    "滨江大道",
    "世纪大道",
    "天府大道",
];

/// A parcel carrier: code, name, how its tracking numbers look, its share of parcels.
pub struct Carrier {
    pub code: &'static str,
    pub name: &'static str,
    pub prefix: &'static str,
    pub digits: usize,
    pub share: u32,
}

pub const CARRIERS: &[Carrier] = &[
    Carrier {
        code: "SF",
        name: "顺丰速运",
        prefix: "SF",
        digits: 13,
        share: 32,
    },
    Carrier {
        code: "ZTO",
        name: "中通快递",
        prefix: "7",
        digits: 14,
        share: 18,
    },
    Carrier {
        code: "YTO",
        name: "圆通速递",
        prefix: "YT",
        digits: 13,
        share: 14,
    },
    Carrier {
        code: "JD",
        name: "京东物流",
        prefix: "JDV",
        digits: 12,
        share: 12,
    },
    Carrier {
        code: "YUNDA",
        name: "韵达快递",
        prefix: "43",
        digits: 13,
        share: 9,
    },
    Carrier {
        code: "STO",
        name: "申通快递",
        prefix: "77",
        digits: 13,
        share: 7,
    },
    Carrier {
        code: "EMS",
        name: "EMS",
        prefix: "1",
        digits: 12,
        share: 5,
    },
    Carrier {
        code: "JTSD",
        name: "极兔速递",
        prefix: "JT",
        digits: 13,
        share: 3,
    },
];

/// The brand's warehouses parcels leave from: (city, province).
pub const WAREHOUSES: &[(&str, &str)] = &[
    ("嘉兴", "浙江省"),
    ("广州", "广东省"),
    ("武汉", "湖北省"),
    ("成都", "四川省"),
    ("天津", "天津市"),
];

/// The corp tag catalogue: dozens of groups, hundreds of tags, as a brand's CRM team builds
/// it up. `exclusive` groups give a customer at most one of their tags.
pub struct TagGroup {
    pub name: &'static str,
    pub exclusive: bool,
    pub tags: &'static [&'static str],
}

pub const TAG_GROUPS: &[TagGroup] = &[
    TagGroup {
        name: "会员等级",
        exclusive: true,
        tags: &["普通会员", "银卡", "金卡", "铂金卡", "黑钻卡"],
    },
    TagGroup {
        name: "客户阶段",
        exclusive: true,
        tags: &[
            "潜在客户",
            "新客",
            "复购客",
            "忠实客户",
            "沉睡客户",
            "流失预警",
        ],
    },
    TagGroup {
        name: "肤质",
        exclusive: true,
        tags: &["干性", "油性", "混合性", "中性", "敏感肌"],
    },
    TagGroup {
        name: "肤色",
        exclusive: true,
        tags: &["冷白皮", "暖白皮", "自然色", "小麦色", "黄二白"],
    },
    TagGroup {
        name: "年龄段",
        exclusive: true,
        tags: &[
            "18-24岁",
            "25-29岁",
            "30-34岁",
            "35-39岁",
            "40-49岁",
            "50岁以上",
        ],
    },
    TagGroup {
        name: "护肤诉求",
        exclusive: false,
        tags: &[
            "补水保湿",
            "美白提亮",
            "抗老紧致",
            "控油祛痘",
            "舒缓修护",
            "淡化细纹",
            "去黑眼圈",
            "毛孔细致",
        ],
    },
    TagGroup {
        name: "彩妆偏好",
        exclusive: false,
        tags: &[
            "口红",
            "粉底",
            "眼影",
            "腮红",
            "睫毛膏",
            "眉笔",
            "散粉",
            "遮瑕",
        ],
    },
    TagGroup {
        name: "香氛偏好",
        exclusive: false,
        tags: &["花香调", "果香调", "木质调", "东方调", "柑橘调", "清新水生"],
    },
    TagGroup {
        name: "关注系列",
        exclusive: false,
        tags: &[
            "焕颜系列",
            "水光系列",
            "臻白系列",
            "紧致系列",
            "舒敏系列",
            "男士系列",
            "彩妆系列",
            "香氛系列",
        ],
    },
    TagGroup {
        name: "价格敏感度",
        exclusive: true,
        tags: &["高敏感", "中等", "不敏感"],
    },
    TagGroup {
        name: "购买渠道",
        exclusive: false,
        tags: &[
            "门店",
            "小程序商城",
            "天猫旗舰店",
            "京东旗舰店",
            "抖音直播间",
        ],
    },
    TagGroup {
        name: "到店频次",
        exclusive: true,
        tags: &["每周", "每月", "每季度", "半年以上"],
    },
    TagGroup {
        name: "沟通偏好",
        exclusive: false,
        tags: &["文字", "语音", "视频通话", "朋友圈互动", "只看不回"],
    },
    TagGroup {
        name: "联系时段",
        exclusive: true,
        tags: &["上午", "午休", "下午", "晚上", "周末"],
    },
    TagGroup {
        name: "活动参与",
        exclusive: false,
        tags: &[
            "双11",
            "618",
            "三八节",
            "会员日",
            "新品试用",
            "美容沙龙",
            "直播抽奖",
        ],
    },
    TagGroup {
        name: "生日月份",
        exclusive: true,
        tags: &[
            "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
        ],
    },
    TagGroup {
        name: "职业",
        exclusive: true,
        tags: &[
            "白领",
            "学生",
            "教师",
            "医护",
            "自由职业",
            "企业主",
            "全职妈妈",
            "公务员",
        ],
    },
    TagGroup {
        name: "家庭状况",
        exclusive: false,
        tags: &["单身", "已婚", "有小孩", "孕期", "有老人同住"],
    },
    TagGroup {
        name: "兴趣爱好",
        exclusive: false,
        tags: &[
            "健身",
            "瑜伽",
            "旅行",
            "美食",
            "摄影",
            "阅读",
            "宠物",
            "追剧",
            "音乐节",
            "露营",
        ],
    },
    TagGroup {
        name: "来源渠道",
        exclusive: true,
        tags: &[
            "门店扫码",
            "导购推荐",
            "朋友介绍",
            "线上广告",
            "直播引流",
            "活动地推",
            "老客转介绍",
        ],
    },
    TagGroup {
        name: "礼品需求",
        exclusive: false,
        tags: &["送伴侣", "送父母", "送闺蜜", "送同事", "节日礼盒"],
    },
    TagGroup {
        name: "售后记录",
        exclusive: false,
        tags: &["有过退货", "有过换货", "投诉已解决", "好评用户"],
    },
    TagGroup {
        name: "过敏成分",
        exclusive: false,
        tags: &["酒精", "香精", "果酸", "水杨酸", "视黄醇"],
    },
    TagGroup {
        name: "客单价",
        exclusive: true,
        tags: &[
            "300元以下",
            "300-800元",
            "800-1500元",
            "1500-3000元",
            "3000元以上",
        ],
    },
    TagGroup {
        name: "推荐意愿",
        exclusive: true,
        tags: &["推荐者", "中立者", "贬损者"],
    },
    TagGroup {
        name: "门店服务",
        exclusive: false,
        tags: &["皮肤检测", "面部护理", "化妆服务", "刻字服务", "包装服务"],
    },
    TagGroup {
        name: "重点跟进",
        exclusive: false,
        tags: &[
            "本周回访",
            "待邀约到店",
            "待送生日礼",
            "待处理售后",
            "大促前提醒",
        ],
    },
    TagGroup {
        name: "内容偏好",
        exclusive: false,
        tags: &["成分科普", "妆容教程", "新品资讯", "优惠信息", "会员权益"],
    },
];
