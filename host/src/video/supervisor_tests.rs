//! Fake-clock tests of the site supervisor: every transition, and the 5 s loss bound.

use super::*;
use crate::video::dtmf::{FloorKey, VoteSource};
use crate::video::site::MemberId;

/// A simulated far end: answers probes after `rtt` while `up`, stays silent otherwise.
struct Sim {
    sup: SiteSupervisor,
    now: Instant,
    up: bool,
    rtt: Duration,
    pending: Vec<(Instant, u32, CallInput)>,
    actions: Vec<(Instant, Action)>,
    events: Vec<SiteEvent>,
}

fn site() -> SiteConfig {
    SiteConfig::new(
        "jiashan",
        "sip:jiashan@127.0.0.1:5070",
        "嘉善县分会场",
        &["m07", "m08"],
    )
}

impl Sim {
    fn new(config: SupervisorConfig) -> Self {
        Sim {
            sup: SiteSupervisor::new(site(), config),
            now: Instant::now(),
            up: true,
            rtt: Duration::from_millis(10),
            pending: Vec::new(),
            actions: Vec::new(),
            events: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(a) = self.sup.poll_action() {
            if let Action::Probe { attempt, probe } = a
                && self.up
            {
                self.pending.push((
                    self.now + self.rtt,
                    attempt,
                    CallInput::ProbeAnswered { probe },
                ));
            }
            self.actions.push((self.now, a));
        }
        while let Some(e) = self.sup.poll_event() {
            self.events.push(e);
        }
    }

    fn input(&mut self, input: CallInput) {
        let attempt = self.sup.current_attempt().expect("a call in progress");
        self.sup.handle(self.now, attempt, input);
        self.drain();
    }

    fn start(&mut self) {
        self.sup.start(self.now);
        self.drain();
    }

    /// Runs timers and deliveries up to `now + d`.
    fn advance(&mut self, d: Duration) {
        let end = self.now + d;
        loop {
            let next_in = self.pending.iter().map(|p| p.0).min();
            let next = [self.sup.poll_timeout(), next_in]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    let (due, rest): (Vec<_>, Vec<_>) =
                        self.pending.drain(..).partition(|p| p.0 <= self.now);
                    self.pending = rest;
                    for (_, attempt, input) in due {
                        self.sup.handle(self.now, attempt, input);
                    }
                    if self.sup.poll_timeout().is_some_and(|t| t <= self.now) {
                        self.sup.handle_timeout(self.now);
                    }
                    self.drain();
                }
                _ => break,
            }
        }
        self.now = end;
    }

    fn ms(&mut self, ms: u64) {
        self.advance(Duration::from_millis(ms));
    }

    fn connect(&mut self) {
        self.start();
        self.input(CallInput::Ringing);
        self.input(CallInput::Answered);
    }

    fn kinds(&self) -> Vec<SiteEventKind> {
        self.events.iter().map(|e| e.kind.clone()).collect()
    }

    fn find(&self, pred: impl Fn(&SiteEventKind) -> bool) -> Option<&SiteEvent> {
        self.events.iter().find(|e| pred(&e.kind))
    }

    fn count_actions(&self, pred: impl Fn(&Action) -> bool) -> usize {
        self.actions.iter().filter(|(_, a)| pred(a)).count()
    }
}

#[test]
fn dial_ring_answer_reports_connected_with_members() {
    let mut sim = Sim::new(SupervisorConfig::default());
    assert_eq!(sim.sup.status(), SiteStatus::Idle);
    sim.start();
    assert_eq!(sim.sup.status(), SiteStatus::Dialing);
    assert_eq!(sim.actions[0].1, Action::Dial { attempt: 1 });
    sim.input(CallInput::Ringing);
    assert_eq!(sim.sup.status(), SiteStatus::Ringing);
    sim.input(CallInput::Answered);
    assert_eq!(sim.sup.status(), SiteStatus::Connected);
    assert_eq!(
        sim.kinds(),
        vec![
            SiteEventKind::Dialing { attempt: 1 },
            SiteEventKind::Ringing,
            SiteEventKind::Connected
        ]
    );
    let last = sim.events.last().unwrap();
    assert_eq!(
        last.members,
        vec![MemberId::from("m07"), MemberId::from("m08")]
    );
    assert_eq!(last.status, SiteStatus::Connected);
}

#[test]
fn healthy_link_is_probed_every_second_and_stays_connected() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.ms(60_000);
    assert_eq!(sim.sup.status(), SiteStatus::Connected);
    let probes = sim.count_actions(|a| matches!(a, Action::Probe { .. }));
    assert!((59..=60).contains(&probes), "{probes} probes in 60 s");
    assert_eq!(
        sim.events.len(),
        3,
        "no events on a healthy link: {:?}",
        sim.kinds()
    );
}

#[test]
fn busy_no_answer_and_rejected_fail_with_their_sip_reason() {
    for (status, want) in [
        (486, FailReason::Busy { status: 486 }),
        (480, FailReason::NoAnswer { status: Some(480) }),
        (603, FailReason::Rejected { status: 603 }),
        (404, FailReason::Other { status: 404 }),
    ] {
        let mut sim = Sim::new(SupervisorConfig::default());
        sim.start();
        sim.input(CallInput::Failed(FailReason::from_status(status)));
        assert_eq!(sim.sup.status(), SiteStatus::Failed);
        assert_eq!(
            sim.events.last().unwrap().kind,
            SiteEventKind::Failed { reason: want }
        );
        // A failed first call is not retried on its own: the clerk decides.
        sim.ms(120_000);
        assert_eq!(sim.count_actions(|a| matches!(a, Action::Dial { .. })), 1);
    }
}

#[test]
fn ringing_past_the_answer_timeout_is_cancelled_as_no_answer() {
    let config = SupervisorConfig {
        answer_timeout: Duration::from_secs(20),
        ..SupervisorConfig::default()
    };
    let mut sim = Sim::new(config);
    sim.start();
    sim.input(CallInput::Ringing);
    sim.ms(19_999);
    assert_eq!(sim.sup.status(), SiteStatus::Ringing);
    sim.ms(1);
    assert_eq!(sim.sup.status(), SiteStatus::Failed);
    assert_eq!(
        sim.events.last().unwrap().kind,
        SiteEventKind::Failed {
            reason: FailReason::NoAnswer { status: None }
        }
    );
    assert_eq!(sim.actions.last().unwrap().1, Action::HangUp { attempt: 1 });
}

#[test]
fn silent_drop_is_declared_lost_within_five_seconds_at_any_probe_phase() {
    let config = SupervisorConfig::default();
    assert!(config.worst_case_detection() <= Duration::from_millis(3500));
    for phase in (0..1000).step_by(50) {
        let mut sim = Sim::new(config.clone());
        sim.connect();
        sim.ms(10_000 + phase);
        sim.up = false;
        let dropped_at = sim.now;
        sim.ms(6_000);
        let suspect = sim
            .find(|k| matches!(k, SiteEventKind::LinkSuspect { missed: 1 }))
            .expect("suspect first");
        let lost = sim
            .find(|k| matches!(k, SiteEventKind::LinkLost { .. }))
            .expect("lost");
        assert!(suspect.at < lost.at);
        let took = lost.at - dropped_at;
        assert!(took < Duration::from_secs(5), "phase {phase}: {took:?}");
        assert!(
            took <= config.worst_case_detection(),
            "phase {phase}: {took:?}"
        );
        assert!(
            matches!(
                lost.kind,
                SiteEventKind::LinkLost {
                    reason: LossReason::ProbeTimeout { missed: 2 },
                    silent_ms,
                } if (1_500..5_000).contains(&silent_ms)
            ),
            "{:?}",
            lost.kind
        );
        assert_eq!(lost.status, SiteStatus::Lost);
    }
}

#[test]
fn one_missed_probe_makes_the_site_suspect_and_an_answer_recovers_it() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.ms(5_000);
    sim.up = false;
    // Let exactly one probe time out, then answer again.
    sim.ms(2_600);
    assert_eq!(sim.sup.status(), SiteStatus::Suspect);
    sim.up = true;
    sim.ms(3_000);
    assert_eq!(sim.sup.status(), SiteStatus::Connected);
    let kinds = sim.kinds();
    assert!(kinds.contains(&SiteEventKind::LinkSuspect { missed: 1 }));
    assert!(kinds.contains(&SiteEventKind::LinkRecovered));
    assert!(
        !kinds
            .iter()
            .any(|k| matches!(k, SiteEventKind::LinkLost { .. }))
    );
}

#[test]
fn a_late_probe_answer_still_counts_as_life() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.rtt = Duration::from_millis(1_600); // answers arrive after each probe's timeout
    sim.ms(20_000);
    // Each probe is missed once, but the late answers keep resetting the count.
    assert!(
        sim.find(|k| matches!(k, SiteEventKind::LinkLost { .. }))
            .is_none()
    );
}

#[test]
fn dialog_gone_and_transport_errors_are_immediate_loss() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.ms(2_000);
    sim.input(CallInput::DialogGone { status: 481 });
    assert_eq!(sim.sup.status(), SiteStatus::Lost);
    assert!(matches!(
        sim.events.last().unwrap().kind,
        SiteEventKind::LinkLost {
            reason: LossReason::DialogGone { status: 481 },
            ..
        }
    ));
    // The dead dialog is hung up (best effort) so a returning far end closes it too.
    assert_eq!(sim.actions.last().unwrap().1, Action::HangUp { attempt: 1 });

    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.input(CallInput::TransportError("port unreachable".into()));
    assert!(matches!(
        sim.events.last().unwrap().kind,
        SiteEventKind::LinkLost {
            reason: LossReason::Transport { .. },
            ..
        }
    ));
}

#[test]
fn silence_limit_bounds_loss_even_with_a_high_miss_count() {
    let config = SupervisorConfig {
        lost_after_misses: 100,
        ..SupervisorConfig::default()
    };
    let mut sim = Sim::new(config);
    sim.connect();
    sim.ms(3_000);
    sim.up = false;
    let dropped = sim.now;
    sim.ms(6_000);
    let lost = sim
        .find(|k| matches!(k, SiteEventKind::LinkLost { .. }))
        .unwrap();
    assert!(matches!(
        lost.kind,
        SiteEventKind::LinkLost {
            reason: LossReason::Silence { .. },
            ..
        }
    ));
    assert!(lost.at - dropped <= Duration::from_secs(5));
}

#[test]
fn lost_site_is_redialed_after_backoff_and_restored() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.ms(3_000);
    sim.up = false;
    sim.ms(3_800);
    assert_eq!(sim.sup.status(), SiteStatus::Lost);
    sim.ms(1_000);
    let lost_at = sim
        .find(|k| matches!(k, SiteEventKind::LinkLost { .. }))
        .unwrap()
        .at;
    let redial = sim
        .actions
        .iter()
        .find(|(_, a)| *a == Action::Dial { attempt: 2 })
        .expect("redialed");
    assert_eq!(redial.0 - lost_at, Duration::from_secs(1));
    assert_eq!(sim.sup.status(), SiteStatus::Redialing);
    assert!(
        sim.kinds()
            .contains(&SiteEventKind::Redialing { attempt: 2 })
    );
    // Attempt 2 rings for a while; now the room comes back and answers.
    sim.up = true;
    sim.input(CallInput::Ringing);
    assert_eq!(sim.sup.status(), SiteStatus::Redialing);
    sim.input(CallInput::Answered);
    assert_eq!(sim.sup.status(), SiteStatus::Connected);
    let restored = sim.events.last().unwrap();
    assert!(matches!(restored.kind, SiteEventKind::LinkRestored { down_ms } if down_ms >= 1_000));
    sim.ms(10_000);
    assert_eq!(sim.sup.status(), SiteStatus::Connected);
}

#[test]
fn failed_redials_back_off_exponentially_up_to_the_cap() {
    let config = SupervisorConfig {
        redial_backoff_max: Duration::from_secs(4),
        ..SupervisorConfig::default()
    };
    let mut sim = Sim::new(config);
    sim.connect();
    sim.input(CallInput::DialogGone { status: 408 });
    let mut waits = Vec::new();
    for _ in 0..4 {
        sim.ms(10_000);
        // Each redial is answered busy.
        sim.input(CallInput::Failed(FailReason::from_status(486)));
        if let SiteEventKind::RedialFailed {
            retry_in_ms,
            reason,
        } = &sim.events.last().unwrap().kind
        {
            assert_eq!(*reason, FailReason::Busy { status: 486 });
            waits.push(*retry_in_ms);
        }
        assert_eq!(sim.sup.status(), SiteStatus::Lost);
    }
    assert_eq!(waits, vec![2_000, 4_000, 4_000, 4_000]);
}

#[test]
fn members_become_absent_only_after_the_grace_period() {
    let config = SupervisorConfig {
        loss_grace: Duration::from_secs(30),
        ..SupervisorConfig::default()
    };
    let mut sim = Sim::new(config.clone());
    sim.connect();
    sim.input(CallInput::DialogGone { status: 481 });
    let lost_at = sim.now;
    // Redials keep failing (no answer).
    for _ in 0..20 {
        sim.ms(3_000);
        if sim.sup.current_attempt().is_some() {
            sim.input(CallInput::Failed(FailReason::from_status(480)));
        }
    }
    let grace: Vec<_> = sim
        .events
        .iter()
        .filter(|e| matches!(e.kind, SiteEventKind::GraceExpired { .. }))
        .collect();
    assert_eq!(grace.len(), 1, "grace fires once");
    assert_eq!(grace[0].at - lost_at, Duration::from_secs(30));
    assert_eq!(
        grace[0].kind,
        SiteEventKind::GraceExpired { lost_ms: 30_000 }
    );
    assert_eq!(grace[0].members.len(), 2);

    // Restored before the grace period: no absence.
    let mut sim = Sim::new(config);
    sim.connect();
    sim.input(CallInput::DialogGone { status: 481 });
    sim.ms(1_000);
    sim.input(CallInput::Answered);
    sim.ms(60_000);
    assert!(
        sim.find(|k| matches!(k, SiteEventKind::GraceExpired { .. }))
            .is_none()
    );
}

#[test]
fn zero_grace_makes_members_absent_with_the_loss() {
    let config = SupervisorConfig {
        loss_grace: Duration::ZERO,
        ..SupervisorConfig::default()
    };
    let mut sim = Sim::new(config);
    sim.connect();
    sim.input(CallInput::TransportError("down".into()));
    let n = sim.events.len();
    assert!(matches!(
        sim.events[n - 2].kind,
        SiteEventKind::LinkLost { .. }
    ));
    assert_eq!(
        sim.events[n - 1].kind,
        SiteEventKind::GraceExpired { lost_ms: 0 }
    );
}

#[test]
fn remote_bye_is_a_deliberate_end_not_a_loss() {
    let mut sim = Sim::new(SupervisorConfig {
        loss_grace: Duration::from_secs(1),
        ..SupervisorConfig::default()
    });
    sim.connect();
    sim.ms(2_500);
    sim.input(CallInput::RemoteHangup);
    assert_eq!(sim.sup.status(), SiteStatus::Ended);
    sim.ms(60_000);
    assert_eq!(
        sim.events.last().unwrap().kind,
        SiteEventKind::Ended {
            reason: EndReason::RemoteHangup
        }
    );
    assert_eq!(sim.count_actions(|a| matches!(a, Action::Dial { .. })), 1);
    assert!(sim.sup.poll_timeout().is_none());
}

#[test]
fn local_stop_hangs_up_and_ends_even_while_lost() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.sup.stop(sim.now);
    sim.drain();
    assert_eq!(sim.actions.last().unwrap().1, Action::HangUp { attempt: 1 });
    assert_eq!(
        sim.events.last().unwrap().kind,
        SiteEventKind::Ended {
            reason: EndReason::LocalHangup
        }
    );

    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.input(CallInput::DialogGone { status: 481 });
    sim.sup.stop(sim.now);
    sim.drain();
    assert_eq!(sim.sup.status(), SiteStatus::Ended);
    sim.ms(120_000);
    assert_eq!(sim.count_actions(|a| matches!(a, Action::Dial { .. })), 1);
    assert!(
        sim.find(|k| matches!(k, SiteEventKind::GraceExpired { .. }))
            .is_none()
    );
}

#[test]
fn the_clerk_can_redial_after_a_failure() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.start();
    sim.input(CallInput::Failed(FailReason::from_status(486)));
    sim.start();
    assert_eq!(sim.actions.last().unwrap().1, Action::Dial { attempt: 2 });
    sim.input(CallInput::Answered);
    assert_eq!(sim.events.last().unwrap().kind, SiteEventKind::Connected);
}

#[test]
fn inputs_about_an_old_call_are_ignored() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.input(CallInput::DialogGone { status: 481 });
    sim.ms(1_000); // redial: attempt 2
    let before = sim.events.len();
    sim.sup.handle(sim.now, 1, CallInput::Answered);
    sim.sup.handle(sim.now, 1, CallInput::RemoteHangup);
    sim.drain();
    assert_eq!(sim.events.len(), before);
    assert_eq!(sim.sup.status(), SiteStatus::Redialing);
}

#[test]
fn keypad_votes_are_reported_for_the_site_with_its_members() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.start();
    // Keys before the call is up are not votes.
    sim.input(CallInput::Key {
        key: '1',
        source: VoteSource::SipInfo,
    });
    assert_eq!(sim.events.len(), 1);
    sim.input(CallInput::Answered);
    for (key, choice) in [
        ('1', VoteChoice::Yes),
        ('2', VoteChoice::No),
        ('3', VoteChoice::Abstain),
    ] {
        sim.input(CallInput::Key {
            key,
            source: VoteSource::SipInfo,
        });
        let ev = sim.events.last().unwrap();
        assert_eq!(
            ev.kind,
            SiteEventKind::Vote {
                key,
                choice,
                source: VoteSource::SipInfo
            }
        );
        assert_eq!(ev.site.0, "jiashan");
        assert_eq!(ev.members.len(), 2);
    }
    sim.input(CallInput::Key {
        key: '#',
        source: VoteSource::Rfc4733,
    });
    assert_eq!(
        sim.events.last().unwrap().kind,
        SiteEventKind::UnmappedKey {
            key: '#',
            source: VoteSource::Rfc4733
        }
    );
}

#[test]
fn floor_keys_are_reported_as_floor_requests_for_the_site() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.start();
    sim.input(CallInput::Key {
        key: '4',
        source: VoteSource::SipInfo,
    });
    assert_eq!(
        sim.events.len(),
        1,
        "a key before the call is up is ignored"
    );
    sim.input(CallInput::Answered);
    for (key, action) in [
        ('4', FloorKey::Request),
        ('5', FloorKey::Reply),
        ('6', FloorKey::Cancel),
    ] {
        sim.input(CallInput::Key {
            key,
            source: VoteSource::Rfc4733,
        });
        let ev = sim.events.last().unwrap();
        assert_eq!(
            ev.kind,
            SiteEventKind::Floor {
                key,
                action,
                source: VoteSource::Rfc4733
            }
        );
        assert_eq!(ev.site.0, "jiashan");
    }
}

#[test]
fn a_key_from_a_suspect_site_proves_it_is_alive() {
    let mut sim = Sim::new(SupervisorConfig::default());
    sim.connect();
    sim.up = false;
    sim.ms(2_600);
    assert_eq!(sim.sup.status(), SiteStatus::Suspect);
    sim.input(CallInput::Key {
        key: '1',
        source: VoteSource::SipInfo,
    });
    assert_eq!(sim.sup.status(), SiteStatus::Connected);
}

#[test]
fn timings_that_break_the_five_second_promise_are_refused() {
    assert!(SupervisorConfig::default().validate().is_ok());
    let slow = SupervisorConfig {
        probe_timeout: Duration::from_secs(3),
        lost_after_misses: 3,
        silence_limit: Duration::from_secs(8),
        ..SupervisorConfig::default()
    };
    let err = slow.validate().unwrap_err();
    assert!(err.to_string().contains("exceeds 5s"), "{err}");
    let zero = SupervisorConfig {
        lost_after_misses: 0,
        ..SupervisorConfig::default()
    };
    assert!(zero.validate().is_err());
}

#[test]
fn a_sites_own_grace_period_overrides_the_gateway_default() {
    let config = SupervisorConfig {
        loss_grace: Duration::from_secs(60),
        ..SupervisorConfig::default()
    };
    let mut sim = Sim::new(config.clone());
    sim.sup = SiteSupervisor::new(site().with_loss_grace(Duration::from_secs(5)), config);
    assert_eq!(sim.sup.loss_grace(), Duration::from_secs(5));
    sim.connect();
    sim.input(CallInput::DialogGone { status: 481 });
    let lost_at = sim.now;
    for _ in 0..5 {
        sim.ms(2_000);
        if sim.sup.current_attempt().is_some() {
            sim.input(CallInput::Failed(FailReason::from_status(480)));
        }
    }
    let grace = sim
        .find(|k| matches!(k, SiteEventKind::GraceExpired { .. }))
        .expect("grace fired after the site's 5 s, not the default 60 s");
    assert_eq!(grace.at - lost_at, Duration::from_secs(5));

    // A later meeting with another rulebook value re-dials the same room with its grace.
    sim.sup.set_loss_grace(Duration::from_secs(12));
    assert_eq!(sim.sup.loss_grace(), Duration::from_secs(12));
    assert_eq!(sim.sup.site().loss_grace, Some(Duration::from_secs(12)));
}
