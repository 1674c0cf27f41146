//! Remote attendance policy per meeting kind: whether a member on the video link may vote
//! (refused with the rule cited when not), the cap on the remote share of 实到 (the excess not
//! counted, and the quorum explanation says so), the grace period after a link loss taken from
//! the rulebook, and a site lost during an open vote noted on the result while the votes its
//! members cast stand. Also: every shipped rulebook states these values with a citation, and
//! the checker refuses bad ones.

mod meeting_support;

use std::time::Duration;

use huitang::meeting::*;
use meeting_support::*;

fn hall_policy_note(text: &str) -> (Option<String>, Option<String>, Source, Option<String>) {
    (None, None, Source::HallPolicy, Some(text.to_owned()))
}

fn may_vote(allowed: bool) -> RemoteVoting {
    let (article, clause, source, note) = hall_policy_note("测试 / test policy");
    RemoteVoting {
        allowed,
        article,
        clause,
        source,
        note,
    }
}

fn cap(percent: u32) -> RemoteShare {
    let (article, clause, source, note) = hall_policy_note("测试 / test cap");
    RemoteShare {
        percent: Some(percent),
        article,
        clause,
        source,
        note,
    }
}

/// Wuxi plenary (video counts), 5 members m1..m5, with the plenary's remote policy edited.
fn wuxi_plenary(edit: impl FnOnce(&mut RemotePolicy)) -> Meeting {
    let (mut book, setup) = setup("wuxi", "plenary", 5, 0, CheckInMode::AnySeat);
    let kind = book.kinds.iter_mut().find(|k| k.id == "plenary").unwrap();
    edit(&mut kind.remote);
    let (mut m, _) = Meeting::schedule(&book, "plenary", setup, at(-24 * 60)).unwrap();
    m.execute(Command::OpenSignIn, at(-30)).unwrap();
    m
}

fn remote(m: &mut Meeting, member: &str, site: &str) -> Vec<Event> {
    m.execute(
        Command::RemoteSignIn {
            member: id(member),
            site: SiteId(site.into()),
            confirmed: RemoteConfirmation::Site,
        },
        at(-5),
    )
    .expect("remote sign-in")
}

fn vote_as(m: &mut Meeting, member: &str, choice: Choice, min: i64) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::CastVote {
            voter: Voter::Member { member: id(member) },
            choice,
        },
        at(min),
    )
}

#[test]
fn a_remote_member_may_not_vote_when_the_rulebook_says_so_and_the_refusal_cites_the_rule() {
    let mut m = wuxi_plenary(|r| r.may_vote = Some(may_vote(false)));
    for i in 1..=3 {
        tap(&mut m, &format!("m{i}"), at(-10)).unwrap();
    }
    remote(&mut m, "m4", "jiangyin");
    assert!(m.quorum().met, "video still counts toward quorum");
    assert_eq!(m.quorum().present, 4);
    open_session(&mut m).unwrap();
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        1,
    );
    assert_eq!(
        m.votes()[0].eligible,
        3,
        "the remote member is not an eligible voter"
    );

    let refusal = vote_as(&mut m, "m4", Choice::Yes, 2).unwrap_err();
    match &refusal {
        Refusal::RemoteCannotVote {
            citation,
            citation_en,
        } => {
            assert!(citation.contains("本会堂政策"), "{citation}");
            assert!(citation_en.contains("hall policy"), "{citation_en}");
        }
        other => panic!("expected remote_cannot_vote, got {other:?}"),
    }
    assert_eq!(refusal.code(), "remote_cannot_vote");
    assert!(refusal.to_string().contains("视频参会"), "{refusal}");
    // Someone in the room still votes.
    vote_as(&mut m, "m1", Choice::Yes, 2).unwrap();
}

#[test]
fn a_remote_member_votes_when_may_vote_is_left_out_and_counts_is_true() {
    let mut m = wuxi_plenary(|r| r.may_vote = None);
    for i in 1..=2 {
        tap(&mut m, &format!("m{i}"), at(-10)).unwrap();
    }
    remote(&mut m, "m3", "jiangyin");
    open_session(&mut m).unwrap();
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        1,
    );
    vote_as(&mut m, "m3", Choice::No, 2).expect("default may_vote = counts = true");
}

#[test]
fn the_remote_share_cap_leaves_the_excess_uncounted_and_the_explanation_says_so() {
    // 50 %: with 2 in the room at most 2 by video count (2 of 4 = 50 %).
    let mut m = wuxi_plenary(|r| r.max_share = Some(cap(50)));
    for i in 1..=2 {
        tap(&mut m, &format!("m{i}"), at(-10)).unwrap();
    }
    remote(&mut m, "m3", "jiangyin");
    remote(&mut m, "m4", "jiangyin");
    let q = m.quorum();
    assert_eq!(
        (q.present, q.remote_over_cap),
        (4, 0),
        "{}",
        q.explanation_en
    );
    remote(&mut m, "m5", "yixing");
    let q = m.quorum();
    assert_eq!(q.headcount.remote, 3);
    assert_eq!(q.present, 4, "the third by video is beyond the cap");
    assert_eq!(q.remote_over_cap, 1);
    assert!(
        q.explanation_zh.contains("50% 上限") && q.explanation_zh.contains("1 人不计入"),
        "{}",
        q.explanation_zh
    );
    assert!(
        q.explanation_en.contains("cap of 50%"),
        "{}",
        q.explanation_en
    );
    assert!(
        q.explanation_zh.contains("本会堂政策"),
        "{}",
        q.explanation_zh
    );
}

#[test]
fn the_cap_can_decide_quorum() {
    // 25 %: 2 in the room allow ⌊25 × 2 / 75⌋ = 0 by video; 3 by video would make quorum.
    let mut m = wuxi_plenary(|r| r.max_share = Some(cap(25)));
    for i in 1..=2 {
        tap(&mut m, &format!("m{i}"), at(-10)).unwrap();
    }
    remote(&mut m, "m3", "jiangyin");
    let q = m.quorum();
    assert!(!q.met, "{}", q.explanation_en);
    assert_eq!((q.present, q.remote_over_cap), (2, 1));
    tap(&mut m, "m4", at(-9)).unwrap();
    // 3 in the room: ⌊25 × 3 / 75⌋ = 1 by video counts.
    let q = m.quorum();
    assert_eq!((q.present, q.remote_over_cap), (4, 0));
}

#[test]
fn remote_share_arithmetic_is_exact_at_the_boundary() {
    let c = cap(40);
    // 100 r ≤ 40 (b + r)  ⇔  60 r ≤ 40 b.
    assert_eq!(c.counted(3, 5), 2); // 2 of 5 = 40 % exactly
    assert_eq!(c.counted(4, 5), 2); // 3 of 7 would be 42.9 %
    assert_eq!(c.counted(0, 5), 0);
    assert_eq!(cap(100).counted(0, 5), 5);
}

#[test]
fn a_site_lost_during_an_open_vote_is_noted_on_the_result_and_its_votes_stand() {
    let mut m = wuxi_plenary(|_| {});
    tap(&mut m, "m1", at(-10)).unwrap();
    tap(&mut m, "m2", at(-10)).unwrap();
    remote(&mut m, "m3", "jiangyin");
    remote(&mut m, "m4", "jiangyin");
    open_session(&mut m).unwrap();
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        1,
    );
    vote_as(&mut m, "m1", Choice::Yes, 2).unwrap();
    vote_as(&mut m, "m3", Choice::Yes, 2).unwrap();
    m.execute(
        Command::SiteLinkLost {
            site: SiteId("jiangyin".into()),
        },
        at(3),
    )
    .unwrap();
    assert!(matches!(
        vote_as(&mut m, "m4", Choice::No, 4),
        Err(Refusal::SiteLinkDown(_))
    ));
    let closed = m.execute(Command::CloseVote, at(5)).unwrap();
    let result = closed_result(&closed);
    assert_eq!(result.tally.yes, 2, "m3's vote before the loss stands");
    assert_eq!(
        result.sites_lost,
        vec![SiteLoss {
            site: SiteId("jiangyin".into()),
            members: 2,
            voted: 1,
            at: at(3),
        }]
    );
    let alert = m.alert_for(closed.last().unwrap()).expect("result alert");
    assert!(
        alert.zh.contains("视频会场 jiangyin 连接中断") && alert.zh.contains("2 人中 1 人已表决"),
        "{}",
        alert.zh
    );
    assert!(
        alert.en.contains("1 of its 2 member(s) had voted"),
        "{}",
        alert.en
    );
}

#[test]
fn a_site_lost_with_no_vote_open_leaves_later_results_clean() {
    let mut m = wuxi_plenary(|_| {});
    for i in 1..=3 {
        tap(&mut m, &format!("m{i}"), at(-10)).unwrap();
    }
    remote(&mut m, "m4", "jiangyin");
    open_session(&mut m).unwrap();
    m.execute(
        Command::SiteLinkLost {
            site: SiteId("jiangyin".into()),
        },
        at(1),
    )
    .unwrap();
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        2,
    );
    vote_as(&mut m, "m1", Choice::Yes, 3).unwrap();
    let closed = m.execute(Command::CloseVote, at(4)).unwrap();
    assert!(closed_result(&closed).sites_lost.is_empty());
}

#[test]
fn the_site_loss_survives_a_replay_of_the_events() {
    let (mut book, setup) = setup("wuxi", "plenary", 5, 0, CheckInMode::AnySeat);
    book.kinds.retain(|k| k.id == "plenary");
    let (mut m, first) = Meeting::schedule(&book, "plenary", setup, at(-24 * 60)).unwrap();
    let mut log = vec![first];
    log.extend(m.execute(Command::OpenSignIn, at(-30)).unwrap());
    for i in 1..=2 {
        log.extend(tap(&mut m, &format!("m{i}"), at(-10)).unwrap());
    }
    log.extend(remote(&mut m, "m3", "jiangyin"));
    log.extend(open_session(&mut m).unwrap());
    log.extend(open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        1,
    ));
    log.extend(vote_as(&mut m, "m3", Choice::Abstain, 2).unwrap());
    log.extend(
        m.execute(
            Command::SiteLinkLost {
                site: SiteId("jiangyin".into()),
            },
            at(3),
        )
        .unwrap(),
    );
    let json = serde_json::to_string(&log).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    let mut replayed = Meeting::replay(&back).unwrap();
    let closed = replayed.execute(Command::CloseVote, at(5)).unwrap();
    let r = closed_result(&closed);
    assert_eq!(r.tally.abstain, 1);
    assert_eq!(r.sites_lost.len(), 1);
    assert_eq!((r.sites_lost[0].members, r.sites_lost[0].voted), (1, 1));
}

#[test]
fn the_grace_period_comes_from_the_rulebook() {
    let m = wuxi_plenary(|_| {});
    assert_eq!(m.loss_grace(), Duration::from_secs(60));
    let m = wuxi_plenary(|r| {
        r.loss_grace = Some(LossGrace {
            seconds: 15,
            article: None,
            clause: None,
            source: Source::HallPolicy,
            note: Some("测试 / test".into()),
        })
    });
    assert_eq!(m.loss_grace(), Duration::from_secs(15));
    let m = wuxi_plenary(|r| r.loss_grace = None);
    assert_eq!(
        m.loss_grace(),
        Duration::from_secs(u64::from(DEFAULT_LOSS_GRACE_SECONDS))
    );
}

#[test]
fn every_shipped_rulebook_states_the_video_rules_with_a_citation_for_every_kind() {
    for city in embedded_cities() {
        let book = Rulebook::embedded(&city).unwrap();
        for k in &book.kinds {
            let r = &k.remote;
            let at = format!("{city}/{}", k.id);
            let v = r
                .may_vote
                .as_ref()
                .unwrap_or_else(|| panic!("{at}: may_vote"));
            assert_eq!(v.allowed, r.counts, "{at}: only counted attendees vote");
            assert!(r.max_share.is_some(), "{at}: max_share");
            assert!(r.loss_grace.is_some(), "{at}: loss_grace");
            for c in [
                huitang::meeting::rulebook::Cited::citation(v),
                huitang::meeting::rulebook::Cited::citation(r.max_share.as_ref().unwrap()),
                huitang::meeting::rulebook::Cited::citation(r.loss_grace.as_ref().unwrap()),
            ] {
                match c.source {
                    Source::HallPolicy => assert!(c.note.is_some_and(|n| !n.is_empty()), "{at}"),
                    Source::Law => assert!(c.article.is_some() && c.clause.is_some(), "{at}"),
                }
            }
        }
    }
    let jiaxing = Rulebook::embedded("jiaxing").unwrap();
    let citywide = &jiaxing.kind("citywide").unwrap().remote;
    let share = citywide.max_share.as_ref().unwrap();
    assert_eq!(share.article.as_deref(), Some("第四十三条"));
    assert_eq!(share.percent, None, "video is the prescribed form: no cap");
}

fn wuxi_text_with_plenary_remote(extra: &str) -> String {
    let text = huitang::meeting::rulebook::EMBEDDED
        .iter()
        .find(|e| e.0 == "wuxi")
        .unwrap()
        .2;
    let anchor = "[kinds.remote.may_vote]";
    let i = text.find(anchor).expect("wuxi plenary may_vote");
    let j = text[i..].find("\n[kinds.minutes]").unwrap() + i;
    format!("{}{extra}\n{}", &text[..i], &text[j + 1..])
}

fn problems(text: &str) -> Vec<String> {
    match Rulebook::parse("test.toml", text, None) {
        Ok(_) => Vec::new(),
        Err(RulebookError::Invalid { problems, .. }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_checker_refuses_an_uncited_or_out_of_range_video_rule() {
    // Baseline: the shipped file with the sub-tables left out is still valid (defaults apply).
    let plain = wuxi_text_with_plenary_remote("");
    assert_eq!(problems(&plain), Vec::<String>::new());

    let no_note = wuxi_text_with_plenary_remote(
        "[kinds.remote.loss_grace]\nseconds = 30\nsource = \"hall-policy\"\n",
    );
    let p = problems(&no_note);
    assert!(
        p.iter()
            .any(|p| p.contains("kinds[0].remote.loss_grace.note")),
        "{p:?}"
    );

    let too_big = wuxi_text_with_plenary_remote(
        "[kinds.remote.max_share]\npercent = 150\nsource = \"hall-policy\"\nnote = \"x\"\n",
    );
    let p = problems(&too_big);
    assert!(p.iter().any(|p| p.contains("max_share.percent")), "{p:?}");

    let zero = wuxi_text_with_plenary_remote(
        "[kinds.remote.max_share]\npercent = 0\nsource = \"hall-policy\"\nnote = \"x\"\n",
    );
    assert!(!problems(&zero).is_empty());

    let long = wuxi_text_with_plenary_remote(
        "[kinds.remote.loss_grace]\nseconds = 86400\nsource = \"hall-policy\"\nnote = \"x\"\n",
    );
    let p = problems(&long);
    assert!(p.iter().any(|p| p.contains("loss_grace.seconds")), "{p:?}");

    let law_without_clause = wuxi_text_with_plenary_remote(
        "[kinds.remote.may_vote]\nallowed = true\narticle = \"四十\"\n",
    );
    let p = problems(&law_without_clause);
    assert!(p.iter().any(|p| p.contains("may_vote.clause")), "{p:?}");
}

#[test]
fn the_checker_refuses_a_vote_for_members_who_are_not_counted() {
    // Wuxi executive: counts = false.
    let text = huitang::meeting::rulebook::EMBEDDED
        .iter()
        .find(|e| e.0 == "wuxi")
        .unwrap()
        .2;
    let i = text.find("id = \"executive\"").unwrap();
    let from = "[kinds.remote.may_vote]\nallowed = false";
    let j = text[i..].find(from).unwrap() + i;
    let to = "[kinds.remote.may_vote]\nallowed = true";
    let bad = format!("{}{to}{}", &text[..j], &text[j + from.len()..]);
    let p = problems(&bad);
    assert!(
        p.iter()
            .any(|p| p.contains("kinds[1].remote.may_vote.allowed")),
        "{p:?}"
    );
}

#[test]
fn a_policy_stored_before_the_video_rules_existed_still_loads_with_defaults() {
    let old = r#"{"counts": true, "source": "hall-policy", "note": "old ledger"}"#;
    let r: RemotePolicy = serde_json::from_str(old).unwrap();
    assert!(r.may_vote());
    assert_eq!(r.max_share_percent(), None);
    assert_eq!(r.loss_grace_seconds(), 60);
    assert_eq!(r.loss_grace_citation().source, Source::HallPolicy);
    let not_counted: RemotePolicy =
        serde_json::from_str(r#"{"counts": false, "source": "hall-policy", "note": "x"}"#).unwrap();
    assert!(!not_counted.may_vote(), "may_vote defaults to counts");
}
