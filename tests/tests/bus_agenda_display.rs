//! The topic in progress on the seat displays (#16), over the real buses: seats 1–3 on a pty
//! serial bus, 4–6 on MQTT through a real Mosquitto on an ephemeral port. When the chair takes
//! up a topic every seat's top line shows its title (a long one cut at a character boundary
//! within the display's 32 bytes, ten Chinese characters); when the topic ends the line is cleared; the next topic
//! replaces it.

mod bus_support;

use bus_support::officer;

use std::time::Duration;

use bus_support::six_seats::{SEATS, six_seats};
use huitang::meeting::{ActorId, Command, Decision, TopicId, TopicSpec};

const WAIT: Duration = Duration::from_secs(10);

/// A Zhuzhou-valid topic (第四十六条: reviewed by the vice mayor in charge, confirmed by the
/// mayor).
fn topic(title: &str) -> TopicSpec {
    TopicSpec {
        title: title.into(),
        reporting_unit: "市发展改革委".into(),
        proposer: officer("vice-mayor", "李副市长"),
        reviewed_by: Some(officer("vice-mayor", "李副市长")),
        countersigned_by: Vec::new(),
        confirmed_by: Some(officer("mayor", "周市长")),
        disagreement: None,
        observers: Vec::new(),
        minutes: Some(20),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seat_shows_the_topic_in_progress_on_both_buses() {
    let st = six_seats(11, "agenda").await;
    let clerk = || ActorId("clerk:t".into());
    let exec = |c| st.hall.execute("m", "clerk:t", c);
    exec(Command::OpenSignIn).await.unwrap();
    for s in 1..=SEATS {
        st.vhall.tap(s, &[0x04, 0, 0, s as u8]);
    }
    assert!(
        st.vhall
            .wait_for(WAIT, |h| (1..=SEATS).all(|s| h.is_checked_in(s)))
            .await
    );
    exec(Command::OpenSession { actor: clerk() }).await.unwrap();
    let long = "关于进一步加强城市老旧小区改造和既有住宅加装电梯工作的实施意见";
    for title in [long, "重点项目计划"] {
        exec(Command::AddTopic {
            spec: Box::new(topic(title)),
            actor: clerk(),
        })
        .await
        .unwrap();
    }
    let all_show = |want: &str| {
        let want = want.to_owned();
        move |h: &huitang_hallsim::VirtualHall| (1..=SEATS).all(|s| h.display_line(s, 0) == want)
    };

    exec(Command::StartTopic {
        topic: TopicId(1),
        actor: clerk(),
    })
    .await
    .unwrap();
    let shown = "关于进一步加强城市…";
    assert!(shown.len() <= 32, "{} bytes", shown.len());
    assert!(
        st.vhall.wait_for(WAIT, all_show(shown)).await,
        "seats show {:?}",
        (1..=SEATS)
            .map(|s| st.vhall.display_line(s, 0))
            .collect::<Vec<_>>()
    );

    exec(Command::EndTopic {
        topic: TopicId(1),
        decision: Some(Decision::ApprovedInPrinciple),
        text: String::new(),
        actor: clerk(),
    })
    .await
    .unwrap();
    assert!(
        st.vhall.wait_for(WAIT, all_show("")).await,
        "the line is cleared between topics: {:?}",
        (1..=SEATS)
            .map(|s| st.vhall.display_line(s, 0))
            .collect::<Vec<_>>()
    );

    exec(Command::StartTopic {
        topic: TopicId(2),
        actor: clerk(),
    })
    .await
    .unwrap();
    assert!(st.vhall.wait_for(WAIT, all_show("重点项目计划")).await);
}
