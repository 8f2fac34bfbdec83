//! The WeCom simulator's half of the demo brand, written as the contacts are made.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::brand::Brand;
use super::{AGENT_ID, CORP_ID, CORP_SECRET, SeedError};
use crate::wecom_sim::SimulatorData;

/// The simulator's data, streamed as the contacts are made: a million contacts never sit in
/// memory at once. Written beside the target and renamed at the end, so a simulator never
/// reads a half-written file.
pub(super) struct SimulatorFile {
    path: PathBuf,
    partial: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    /// What follows the contacts' array (the rest of the corp's fields).
    tail: String,
    first: bool,
}

impl SimulatorFile {
    pub(super) fn create(path: &Path, brand: &Brand) -> Result<Self, SeedError> {
        let io_error = |source| SeedError::SimulatorData {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial).map_err(io_error)?;
        let mut out = std::io::BufWriter::new(file);
        let head = SimulatorData {
            corp_id: CORP_ID.into(),
            corp_secret: CORP_SECRET.into(),
            agent_id: AGENT_ID,
            members: brand.staff.iter().map(|s| s.member.clone()).collect(),
            contacts: Vec::new(),
            tag_groups: brand.tag_groups.clone(),
            group_chats: brand.staff.iter().enumerate().map(guide_group).collect(),
            callback: None,
        };
        let head = serde_json::to_string(&head).map_err(|e| io_error(e.into()))?;
        // `…,"contacts":[],…}`: the contacts go between the brackets as they are made.
        let (before, after) = head
            .split_once("\"contacts\":[]")
            .ok_or_else(|| io_error(std::io::Error::other("no contacts field")))?;
        out.write_all(before.as_bytes()).map_err(io_error)?;
        out.write_all(b"\"contacts\":[").map_err(io_error)?;
        Ok(Self {
            path: path.to_owned(),
            partial,
            out,
            tail: format!("]{after}"),
            first: true,
        })
    }

    fn error(&self, source: std::io::Error) -> SeedError {
        SeedError::SimulatorData {
            path: self.path.clone(),
            source,
        }
    }

    pub(super) fn add(
        &mut self,
        contact: &crate::wecom::api::ContactDetails,
    ) -> Result<(), SeedError> {
        if !self.first {
            self.out.write_all(b",").map_err(|e| self.error(e))?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, contact).map_err(|e| self.error(e.into()))
    }

    pub(super) fn finish(mut self) -> Result<(), SeedError> {
        let tail = std::mem::take(&mut self.tail);
        self.out
            .write_all(tail.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|e| self.error(e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| self.error(e))
    }
}

/// Each guide's customer group (客户群), for sending to a group chat in the demo.
fn guide_group((index, staff): (usize, &super::brand::Staff)) -> crate::wecom::outbound::GroupChat {
    let userid = staff.member.userid.clone();
    crate::wecom::outbound::GroupChat {
        chat_id: format!("wrDEMOCHAT{:04}", index + 1),
        name: format!("{}的会员福利群", staff.member.name),
        owner: userid.clone(),
        member_list: vec![crate::wecom::outbound::GroupChatMember {
            userid,
            member_type: 1,
        }],
    }
}
