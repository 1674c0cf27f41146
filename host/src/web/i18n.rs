//! Console language: Chinese by default, English on request (`?lang=en` sets a cookie), and the
//! small message table the templates read their words from.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use std::convert::Infallible;

/// The language a page or message is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// Name of the cookie that remembers the language switch.
pub const LANG_COOKIE: &str = "huitang_lang";

impl Lang {
    /// Parses `zh` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The code used in URLs, cookies and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The short switch value (`zh` or `en`).
    pub fn short(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Picks the message in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Looks a key up in the message table; an unknown key shows itself (and a test forbids it).
    pub fn t(self, key: &str) -> &'static str {
        match MESSAGES.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => self.pick(zh, en),
            None => "??",
        }
    }

    /// The language asked for by `?lang=` or else the cookie, else Chinese.
    pub fn from_parts(parts: &Parts) -> Lang {
        Lang::switch_requested(parts)
            .or_else(|| {
                super::session::cookie(&parts.headers, LANG_COOKIE).and_then(|v| Lang::parse(&v))
            })
            .unwrap_or_default()
    }

    /// Whether the request asked explicitly to switch language (so the cookie must be set).
    pub fn switch_requested(parts: &Parts) -> Option<Lang> {
        parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_parts(parts))
    }
}

/// The message table: key, Chinese, English. Keys are used by the templates as `lang.t("key")`.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("app_name", "会堂 · 会议管理系统", "Huitang meeting hall"),
    ("via_card", "刷卡", "card"),
    ("via_clerk", "补签到", "late sign-in"),
    ("via_video", "视频", "video"),
    ("login", "登录", "Log in"),
    ("logout", "退出", "Log out"),
    ("username", "用户名", "User name"),
    ("password", "密码", "Password"),
    (
        "login_failed",
        "用户名或密码错误。",
        "Wrong user name or password.",
    ),
    (
        "login_expired",
        "登录表单已过期，请重试。",
        "The login form expired; please try again.",
    ),
    ("meetings", "会议", "Meetings"),
    ("meeting", "会议", "Meeting"),
    ("schedule_meeting", "安排会议", "Schedule a meeting"),
    ("title", "会议名称", "Title"),
    ("kind", "会议类型", "Kind"),
    ("rulebook", "规则", "Rulebook"),
    ("scheduled_at", "时间", "Time"),
    ("phase", "状态", "State"),
    ("no_meetings", "暂无会议。", "No meetings yet."),
    ("open_hall", "会场", "Hall"),
    ("display", "大屏", "Display"),
    ("report", "报表", "Report"),
    ("expected", "应到", "Expected"),
    ("present", "实到", "Present"),
    ("excused", "请假", "On leave"),
    ("absent", "缺席", "Absent"),
    ("observers", "列席", "Observers"),
    ("substitutes", "代会", "Substitutes"),
    ("remote", "视频", "Remote"),
    ("quorum", "法定人数", "Quorum"),
    ("quorum_met", "已达法定人数", "Quorum met"),
    ("quorum_not_met", "未达法定人数", "Quorum not met"),
    ("open_sign_in", "开始签到", "Open sign-in"),
    ("open_session", "宣布开会", "Open the session"),
    ("adjourn", "散会", "Adjourn"),
    ("seat_map", "座位图", "Seat map"),
    ("seat", "座位", "Seat"),
    ("member", "人员", "Member"),
    ("role", "职务", "Role"),
    ("status", "状态", "Status"),
    ("reason", "理由", "Reason"),
    ("written", "书面", "Written"),
    ("leave_requests", "请假申请", "Leave requests"),
    ("request_leave", "提交请假", "Request leave"),
    ("approve", "批准", "Approve"),
    ("reject", "不批准", "Reject"),
    ("depart", "中途退席", "Early departure"),
    ("floor", "发言", "Floor"),
    ("open_mics", "开启话筒", "open microphones"),
    (
        "fire_alarm",
        "消防报警：全部话筒已关闭",
        "Fire alarm: every microphone is closed",
    ),
    ("speaking_now", "正在发言", "Speaking now"),
    ("nobody_speaking", "无人发言", "Nobody is speaking"),
    ("time_left", "剩余", "left"),
    ("time_up", "发言时间已到", "time is up"),
    ("end_turn", "结束发言", "End turn"),
    ("speaker_queue", "发言排队", "Speaker queue"),
    ("queue_empty", "无人排队", "Nobody is waiting"),
    ("grant_floor", "准予发言", "Give the floor"),
    ("deny_floor", "不予发言", "Deny"),
    ("grant_next", "下一位发言", "Next speaker"),
    ("mute_all", "关闭全部代表话筒", "Mute all delegates"),
    ("clear_queue", "同时清空排队", "also clear the queue"),
    ("queue_speak", "申请发言", "request"),
    ("queue_reply", "答复/插话", "reply"),
    ("floor_settings", "发言设置", "Floor settings"),
    (
        "floor_on_behalf",
        "代为申请发言",
        "Request the floor on behalf",
    ),
    ("floor_queue", "排队类别", "Queue"),
    ("county_site", "县（市）会场", "County room"),
    ("add_request", "加入排队", "Add to the queue"),
    ("floor_mode", "发言模式", "Mode"),
    ("open_limit", "同时开启话筒上限", "Open microphones at most"),
    (
        "turn_limit",
        "每次发言限时（秒，0 = 不限）",
        "Turn limit (s, 0 = none)",
    ),
    (
        "warning_before",
        "提前提醒（秒）",
        "Warning before the end (s)",
    ),
    ("at_limit", "时间到时", "At the limit"),
    (
        "priority_clears_queue",
        "主席优先键同时清除排队",
        "The chair's priority key also clears the queue",
    ),
    ("apply_settings", "应用设置", "Apply"),
    ("approver", "审批人", "Approver"),
    (
        "as_presiding",
        "以会议主持人身份",
        "as the presiding officer",
    ),
    ("recorded_by", "登记：", "recorded by"),
    ("entrust_chair", "委托主持", "Entrust the chair"),
    ("entrustee", "受委托主持人", "Entrusted to preside"),
    ("entruster", "委托人", "Entrusted by"),
    (
        "entruster_off_roster",
        "不在本次名单（填写姓名与职务）",
        "not on this roster (type name and role)",
    ),
    ("entruster_name", "委托人姓名", "Entruster's name"),
    ("entruster_role", "委托人职务", "Entruster's role"),
    ("leave_route", "请假程序", "Leave route"),
    ("forward_leave", "办公室已转报", "Passed on by the office"),
    ("report_leave", "已报备", "Reported"),
    ("to_do", "待办", "to do"),
    ("pending", "待审批", "Pending"),
    ("approved", "已批准", "Approved"),
    ("rejected", "未批准", "Rejected"),
    ("late_sign_in", "补签到", "Late sign-in"),
    ("sign_in", "签到", "Sign in"),
    ("votes", "表决", "Votes"),
    ("motion", "议题", "Motion"),
    ("open_vote", "开始表决", "Open vote"),
    ("hold_vote", "暂停", "Hold"),
    ("resume_vote", "继续", "Resume"),
    ("close_vote", "结束表决", "Close vote"),
    ("named", "记名", "Named"),
    ("secret", "无记名", "Secret"),
    ("yes", "赞成", "Yes"),
    ("no", "反对", "No"),
    ("abstain", "弃权", "Abstain"),
    ("not_voted", "未表决", "Not voted"),
    ("voted", "已表决", "Voted"),
    ("vote_result", "表决结果", "Result"),
    ("interim", "实时结果", "Interim results"),
    ("sites", "县（市、区）会场", "County sites"),
    ("link", "链路", "Link"),
    ("no_sites", "未配置分会场。", "No county sites."),
    ("attendance_sheet", "签到表", "Attendance sheet"),
    ("agenda_topics", "议题", "Topics"),
    ("agenda", "议程", "Agenda"),
    ("download_topics_csv", "下载议题 CSV", "Download topics CSV"),
    ("current_topic", "当前议题", "Current topic"),
    ("next_topic", "下一议题", "Next topic"),
    (
        "waiting_observers",
        "下一议题列席人员（候会）",
        "Observers waiting for the next topic",
    ),
    ("no_topics", "尚无议题。", "No topics yet."),
    ("disputed", "有分歧", "disputed"),
    ("start_topic", "开始议题", "Take up"),
    ("end_topic", "结束议题", "End topic"),
    ("withdraw_topic", "撤回", "Withdraw"),
    ("add_topic", "增加议题", "Add topic"),
    (
        "proposer_role",
        "提出人角色（如 vice-mayor）",
        "Proposer role (e.g. vice-mayor)",
    ),
    ("proposer_name", "提出人", "Proposed by"),
    (
        "confirmer_role",
        "确定人角色（如 mayor）",
        "Confirmer role (e.g. mayor)",
    ),
    ("confirmer_name", "确定人", "Confirmed by"),
    ("reporting_unit", "汇报单位", "Reported by"),
    ("topic_observers", "列席本议题", "Observers for the topic"),
    ("topic_votes", "表决", "Votes"),
    ("topic_decision", "议定", "Decided"),
    (
        "minutes_block",
        "会议纪要（议题与出席情况）",
        "Minutes (topics and attendance)",
    ),
    ("print", "打印", "Print"),
    ("download_csv", "下载 CSV", "Download CSV"),
    ("terminal_offline", "终端离线", "Terminal offline"),
    (
        "unassigned_terminals",
        "未分配座位的终端（已拒绝登记，待分配）",
        "Terminals outside the seat map (refused until assigned)",
    ),
    ("last_seen", "最近登记", "Last hello"),
    ("firmware", "固件", "Firmware"),
    ("legend", "图例", "Legend"),
    ("empty_seat", "空位", "Empty"),
    ("not_signed_in", "未签到", "Not signed in"),
    ("checked_in", "已签到", "Checked in"),
    ("observer", "列席", "Observer"),
    ("substitute", "代会", "Substitute"),
    ("presiding", "主持", "Presiding"),
    ("submit", "提交", "Submit"),
    ("language", "English", "中文"),
    ("no_vote", "当前无表决。", "No vote in progress."),
    ("no_leave", "暂无请假申请。", "No leave requests."),
    ("live", "实时", "Live"),
    ("back", "返回", "Back"),
    ("error", "错误", "Error"),
    ("signed_in_as", "当前用户", "Signed in as"),
    (
        "forbidden",
        "您的角色无权查看此页面。",
        "Your role may not see this page.",
    ),
    ("not_found", "找不到该页面。", "Page not found."),
    ("departed", "离场", "Left"),
    ("role_admin", "管理员", "Administrator"),
    ("role_clerk", "会务人员", "Clerk"),
    ("role_chair", "主持人", "Chair"),
    ("role_display", "大屏", "Display"),
    ("role_fire_panel", "消防联动", "Fire panel"),
    (
        "raise_fire_alarm",
        "手动火警联动",
        "Raise fire alarm by hand",
    ),
    ("clear_fire_alarm", "解除火警", "Clear the fire alarm"),
    ("phase_scheduled", "已安排", "Scheduled"),
    ("phase_sign_in", "签到中", "Sign-in open"),
    ("phase_opened", "会议进行中", "In session"),
    ("phase_adjourned", "已散会", "Adjourned"),
    ("vote_open", "表决中", "Voting"),
    ("vote_held", "已暂停", "On hold"),
    ("vote_closed", "已结束", "Closed"),
    ("link_up", "已连接", "Connected"),
    ("link_connecting", "连接中", "Connecting"),
    ("link_suspect", "链路异常", "Link suspect"),
    ("link_idle", "未呼叫", "Not called"),
    ("link_down", "已断开", "Down"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_keys_are_unique_and_filled_in_both_languages() {
        for (i, (k, zh, en)) in MESSAGES.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{k} has an empty message");
            assert!(
                MESSAGES[i + 1..].iter().all(|(k2, _, _)| k2 != k),
                "duplicate key {k}"
            );
        }
    }

    #[test]
    fn every_key_used_in_a_template_is_in_the_table() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).expect("templates dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for piece in text.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                assert!(
                    MESSAGES.iter().any(|(k, _, _)| *k == key),
                    "{} uses unknown message key {key:?}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn chinese_is_the_default_and_lang_query_switches() {
        let req = axum::http::Request::builder()
            .uri("/meetings?lang=en")
            .body(())
            .unwrap();
        let (parts, _) = req.into_parts();
        assert_eq!(Lang::from_parts(&parts), Lang::En);
        let req = axum::http::Request::builder()
            .uri("/meetings")
            .body(())
            .unwrap();
        let (parts, _) = req.into_parts();
        assert_eq!(Lang::from_parts(&parts), Lang::Zh);
        assert_eq!(Lang::Zh.t("expected"), "应到");
    }
}
