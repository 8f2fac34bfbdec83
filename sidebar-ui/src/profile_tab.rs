//! 客户: who the customer is, to the guide about to reply.

use leptos::prelude::*;
use shared::customer::{
    Contact, CustomerProfile, CustomerStatus, ExclusiveGuide, Member, OrderSummary, Relation,
};

use crate::format::{
    channel, churn, local_day, local_time, order_status, shipment_status, spending, yuan,
};
use crate::tag_editor::TagEditor;

#[component]
pub fn ProfileTab(
    profile: CustomerProfile,
    on_show_orders: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let contact = profile.contact;
    let lost = contact.relation != Relation::Active;
    let spend_12m_fen = profile.status.spend_12m_fen;
    // Corp tags are the guide's to edit; the brand's own (商城标签) are shown as they are.
    let (corp, mall): (Vec<_>, Vec<_>) = profile
        .tag_groups
        .into_iter()
        .partition(|group| group.source != "mall");
    let tags = RwSignal::new(corp);
    view! {
        {contact_card(contact, profile.status, profile.exclusive_guide)}
        {member_card(profile.member, profile.usable_coupons, spend_12m_fen)}
        <TagEditor tags=tags editable=!lost mall=mall />
        <section class="card" data-testid="recent-orders">
            <h2>"最近订单"</h2>
            {if profile.recent_orders.is_empty() {
                view! { <p class="muted">"暂无订单"</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {profile.recent_orders.into_iter().map(order_line).collect_view()}
                    </ul>
                    <button class="quiet wide" data-testid="all-orders" on:click=move |_| on_show_orders()>
                        "查看全部订单"
                    </button>
                }
                    .into_any()
            }}
        </section>
    }
}

fn member_card(member: Option<Member>, coupons: u32, spend: i64) -> impl IntoView {
    match member {
        None => view! {
            <section class="card" data-testid="member-unlinked">
                <h2>"会员"</h2>
                <p><span class="badge">"未关联会员"</span></p>
                <p class="muted">"该客户尚未与商城会员关联：会员手机号或 unionid 匹配后会自动关联。"</p>
            </section>
        }
            .into_any(),
        Some(member) => view! {
            <section class="card" data-testid="member">
                <h2>"会员"</h2>
                <div class="facts">
                    <div><span class="muted">"等级"</span><strong data-testid="member-level">{member.level.unwrap_or_else(|| "—".into())}</strong></div>
                    <div><span class="muted">"积分"</span><strong>{member.points.to_string()}</strong></div>
                    <div><span class="muted">"余额"</span><strong>{yuan(member.balance_fen)}</strong></div>
                    <div><span class="muted">"可用券"</span><strong data-testid="usable-coupons">{format!("{coupons} 张")}</strong></div>
                    <div><span class="muted">"近一年消费"</span><strong>{yuan(spend)}</strong></div>
                </div>
                <p class="muted">
                    {member.home_store.map(|s| format!("归属门店：{} · ", s.name))}
                    {member.mobile_masked.map(|m| format!("手机：{m} · "))}
                    {member.registered_at.map(|at| format!("入会：{}", local_day(&at)))}
                </p>
            </section>
        }
            .into_any(),
    }
}

fn order_line(order: OrderSummary) -> impl IntoView {
    view! {
        <li class="order-line">
            <div class="between">
                <span>{channel(order.channel)} " · " {order_status(&order.status)}</span>
                <strong>{yuan(order.paid_fen)}</strong>
            </div>
            <div class="muted">
                {local_time(&order.ordered_at)}
                {order.first_item.map(|t| format!(" · {t}"))}
                {(order.item_count > 1).then(|| format!(" 等 {} 件", order.item_count))}
            </div>
            {order.shipment.map(|s| view! {
                <div class="muted">"物流：" {s.carrier_name} " " {shipment_status(&s.status)}</div>
            })}
        </li>
    }
}

/// Who the customer is: name, remark, since when, status and exclusive guide.
fn contact_card(
    contact: Contact,
    status: CustomerStatus,
    exclusive_guide: Option<ExclusiveGuide>,
) -> impl IntoView {
    let initial = contact.name.chars().next().unwrap_or('客').to_string();
    let lost = contact.relation != Relation::Active;
    view! {
        <section class="card" data-testid="profile">
            <div class="guide">
                {match contact.avatar.clone() {
                    Some(url) => view! { <img class="avatar" src=url alt="" /> }.into_any(),
                    None => view! { <span class="avatar" aria-hidden="true">{initial}</span> }.into_any(),
                }}
                <div class="guide-text">
                    <strong data-testid="customer-name">{contact.name.clone()}</strong>
                    <span class="muted">
                        {contact.remark.clone().map(|r| format!("备注：{r} · "))}
                        "添加于 " {local_day(&contact.added_at)}
                    </span>
                </div>
                {lost.then(|| view! { <span class="badge" data-testid="lost">"已流失"</span> })}
            </div>
            {contact.corp_name.map(|corp| view! { <p class="muted">"企业：" {corp}</p> })}
            <div class="chips" data-testid="status">
                <span class="chip">{churn(status.churn)}</span>
                <span class="chip">{spending(status.spending_level)}</span>
                {status.days_since_last_order.map(|days| view! {
                    <span class="chip muted-chip">{format!("{days} 天前下单")}</span>
                })}
            </div>
            {exclusive_guide.map(|guide| view! {
                <p class="muted" data-testid="exclusive-guide">
                    "专属导购：" {if guide.is_me { format!("{}（我）", guide.name) } else { guide.name }}
                    " · 自 " {local_day(&guide.since)}
                </p>
            })}
        </section>
    }
}
