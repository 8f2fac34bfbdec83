//! The simulated corp tag and customer transfer (离职继承) endpoints.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::answers::*;
use super::{MarkTagRecord, Shared, TransferRecord, lock};

pub(super) async fn corp_tag_list(shared: web::Data<Shared>) -> HttpResponse {
    let sim = lock(&shared);
    let groups: Vec<_> = sim
        .data
        .tag_groups
        .iter()
        .filter(|group| !group.deleted)
        .collect();
    ok(json!({"tag_group": groups}))
}

pub(super) async fn mark_tag(
    shared: web::Data<Shared>,
    body: web::Json<MarkTagRecord>,
) -> HttpResponse {
    let record = body.into_inner();
    if record.add_tag.is_empty() && record.remove_tag.is_empty() {
        return error(INVALID_PARAMETER, "add_tag and remove_tag are both empty");
    }
    let mut sim = lock(&shared);
    if sim.data.member(&record.userid).is_none() {
        return error(INVALID_USERID, "invalid userid");
    }
    let mut added = Vec::new();
    for id in &record.add_tag {
        match sim.data.tag(id) {
            Some((group, tag)) => added.push(crate::wecom::api::FollowTag {
                group_name: Some(group.group_name.clone()),
                tag_name: tag.name.clone(),
                tag_id: Some(tag.id.clone()),
                tag_type: 1,
            }),
            None => return error(INVALID_TAG, "invalid tagid"),
        }
    }
    let Some(contact) = sim.data.contact_mut(&record.external_userid) else {
        return error(INVALID_EXTERNAL_USERID, "invalid external_userid");
    };
    let Some(follow) = contact
        .follow_user
        .iter_mut()
        .find(|f| f.userid == record.userid)
    else {
        return error(
            INVALID_EXTERNAL_USERID,
            "the member does not follow this contact",
        );
    };
    follow.tags.retain(|tag| {
        !tag.tag_id
            .as_ref()
            .is_some_and(|id| record.remove_tag.contains(id))
    });
    for tag in added {
        if !follow.tags.iter().any(|t| t.tag_id == tag.tag_id) {
            follow.tags.push(tag);
        }
    }
    sim.marks.push(record);
    ok(json!({}))
}

#[derive(Deserialize)]
pub(super) struct TransferRequest {
    handover_userid: String,
    takeover_userid: String,
    external_userid: Vec<String>,
}

pub(super) async fn transfer_customer(
    shared: web::Data<Shared>,
    body: web::Json<TransferRequest>,
) -> HttpResponse {
    if body.external_userid.is_empty() || body.external_userid.len() > 100 {
        return error(INVALID_PARAMETER, "external_userid must hold 1 to 100 ids");
    }
    let mut sim = lock(&shared);
    if sim.data.member(&body.handover_userid).is_none()
        || sim.data.member(&body.takeover_userid).is_none()
    {
        return error(INVALID_USERID, "invalid userid");
    }
    let mut customers = Vec::new();
    for id in &body.external_userid {
        let followed = sim.data.contact(id).is_some_and(|c| {
            c.follow_user
                .iter()
                .any(|f| f.userid == body.handover_userid)
        });
        let waiting = sim.transfers.iter().any(|t| {
            &t.external_userid == id && t.handover_userid == body.handover_userid && t.status == 2
        });
        let errcode = match (followed, waiting) {
            (false, _) => INVALID_EXTERNAL_USERID,
            (true, true) => TRANSFER_PENDING,
            (true, false) => {
                sim.transfers.push(TransferRecord {
                    handover_userid: body.handover_userid.clone(),
                    takeover_userid: body.takeover_userid.clone(),
                    external_userid: id.clone(),
                    status: 2,
                    takeover_time: 0,
                });
                0
            }
        };
        customers.push(json!({"external_userid": id, "errcode": errcode}));
    }
    ok(json!({"customer": customers}))
}

#[derive(Deserialize)]
pub(super) struct TransferResultRequest {
    handover_userid: String,
    takeover_userid: String,
}

pub(super) async fn transfer_result(
    shared: web::Data<Shared>,
    body: web::Json<TransferResultRequest>,
) -> HttpResponse {
    let sim = lock(&shared);
    let customers: Vec<Value> = sim
        .transfers
        .iter()
        .filter(|t| {
            t.handover_userid == body.handover_userid && t.takeover_userid == body.takeover_userid
        })
        .map(|t| {
            json!({
                "external_userid": t.external_userid,
                "status": t.status,
                "takeover_time": t.takeover_time,
            })
        })
        .collect();
    ok(json!({"customer": customers, "next_cursor": ""}))
}
