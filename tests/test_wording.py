import pytest

from companion.text.dates import names_a_date
from companion.text.stems import overlap
from companion.text.wording import (
    asked_who,
    clean,
    decision,
    is_deed,
    is_topic,
    needed_deed,
    resolve_pronouns,
    task,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("um we need the the budget by Friday", "We need the budget by Friday."),
        ("I I I think we can we can ship it", "I think we can ship it."),
        ("it 's the T_V_ , you know .", "It's the TV."),
        ("we should- let's just ship it", "Let's just ship it."),
        ("wh- what do we do about the logo?", "What do we do about the logo?"),
        ("So, like, the price is fine.", "The price is fine."),
        ("I mean we don't have the money.", "We don't have the money."),
        ("Do you know?", "Do you know?"),
        ("Right away I'm making some assumptions,", "Right away I'm making some assumptions."),
        ("Okay.", "Okay."),
        ("Yeah, yeah.", "Yeah."),
        ("Um.", ""),
        ("uh-huh mm-hmm", ""),
        ("", ""),
        ("we won't sell it for twenty five Euro", "We won't sell it for twenty five Euro."),
        ("Kim said uh no to the the second van", "Kim said no to the second van."),
        ("the price, um, is too high", "The price, is too high."),
        ("we wanna keep it under five kg", "We want to keep it under five kg."),
        ("the, you know, the remote", "The remote."),
        ("so you know the answer", "You know the answer."),
        # AMI-style lines
        (
            "Um so uh we're gonna have to um s- sort of decide on the the L_C_D_ screen , I think .",
            "We're going to have to sort of decide on the LCD screen, I think.",
        ),
        (
            "I I mean one one way of looking at it would be , well , the people making T_V_ sets .",
            "One way of looking at it would be, well, the people making TV sets.",
        ),
        (
            "Um . Yes . Big reason is 'cause I 'm allergic to most animals .",
            "Big reason is because I'm allergic to most animals.",
        ),
        ("M my favourite button is the the big red one .", "My favourite button is the big red one."),
        (
            "Um well d Does anybody have anything to add to uh to the finance issue ?",
            "Does anybody have anything to add to the finance issue?",
        ),
        ("Mm-hmm . Yeah , that 's that 's it .", "That's it."),
        ("and uh the the L_C_D_ and and the scroll wheel are inside .", "The LCD and the scroll wheel are inside."),
        (
            "Or even like , you know , notes about um what you wanna watch .",
            "Or even like, notes about what you want to watch.",
        ),
        (
            "Um and this one is the one w more like the one we looked at earlier .",
            "This one is the one more like the one we looked at earlier.",
        ),
        ("whe where do we put the the on off switch ?", "Where do we put the on off switch?"),
        (
            "Well twenty five Euro , I mean that 's um that 's about eighteen pounds ,",
            "Twenty five Euro, that's about eighteen pounds.",
        ),
        (
            "Um people uh additionally aren't aren't liking the the colours ,",
            "People additionally aren't liking the colours.",
        ),
    ],
)
def test_clean(text: str, expected: str) -> None:
    assert clean(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Would you mind updating the rota?", "update the rota"),
        ("um I'll uh send the the invoice", "send the invoice"),
        ("is going to book the venue", "book the venue"),
        ("can you please chase the printer about the proofs", "chase the printer about the proofs"),
        ("to renew the licence", "renew the licence"),
        ("could you possibly send the slides", "send the slides"),
        ("if it's not too much trouble, can you send the slides, okay?", "send the slides"),
        ("when you get a chance, could you look at the budget please", "look at the budget"),
        ("I need you to call Omid", "call Omid"),
        ("make sure to close the ticket then", "close the ticket"),
        ("try to finish the report", "try to finish the report"),
        ("I'm gonna put the figures together for me", "put the figures together"),
        ("I'll go ahead and email the client", "email the client"),
        ("would you mind putting the chairs away", "put the chairs away"),
        ("do you mind copying me in", "copy me in"),
        ("would you mind making the agenda", "make the agenda"),
        ("would you mind chasing the caterer", "chase the caterer"),
        ("would you mind calling Sam", "call Sam"),
        ("would you mind adding a slide", "add a slide"),
        ("you're gonna be working on you know the the actual design", "work on the actual design"),
        ("Book the room if that's ok", "book the room"),
        ("Omid will check the figures", "Omid will check the figures"),
        ("I'll", "I'll"),
        ("I can't call that tonight", "I can't call that tonight"),  # a wrapper ends at a word's end
        ("I'm supposed to do the components concept", "do the components concept"),
    ],
)
def test_task(text: str, expected: str) -> None:
    assert task(text) == expected


CONTRACT = ["Has anyone got the signed contract from the caterer?"]
PRINTER = ["We're late.", "Can someone chase the printer about the proofs?"]


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("send it over", CONTRACT, "send over the signed contract from the caterer"),
        ("call them after lunch", PRINTER, "call the printer about the proofs after lunch"),
        ("chase them", PRINTER, "chase the printer about the proofs"),
        ("sort it out", ["Okay. We need to book the venue by Friday."], "sort out the venue"),
        ("do that", ["Um could you uh update the the rota?"], "do the rota"),
        ("send them the invoice", PRINTER, "send them the invoice"),  # what was asked for is no party
        ("send them the final numbers", ["The Year Two trip to the farm, the farm wants numbers."],
         "send the farm the final numbers"),
        ("confirm the booking with them", ["Shall we just go with the Riverside Hall?", "Fine by me."],
         "confirm the booking with the Riverside Hall"),
        ("talk to their foreman", ["Electricians. The sparks crew is two men short all week."],
         "talk to the sparks crew's foreman"),
        ("ask them about a date", ["I know the bookshop on Canal Street does events."],
         "ask the bookshop about a date"),
        ("send them the sample chapter", ["It depends on the contract from 2019."], "send them the sample chapter"),
        ("send them this afternoon", ["Could someone send the engineer the drawings?"],
         "send the engineer the drawings this afternoon"),
        ("send that file", PRINTER, "send that file"),
        # a thing named by "that" takes its fuller earlier mention, when there is one
        ("build that screen", ["Home screen with the points balance is in Figma. Client signed it off."],
         "build the home screen with the points balance"),
        ("photograph that sheet", ["The claim bounced: the commissioning sheet was missing."],
         "photograph the commissioning sheet"),
        ("draft that letter", ["I'd like a written apology to go out."], "draft that letter"),
        ("make it happen", PRINTER, "make it happen"),
        ("send it over", ["I think it looks great."], "send it over"),
        ("send it over", [], "send it over"),
        ("send the invoice", PRINTER, "send the invoice"),
        # "organise that" after a proposal is the proposal's deed
        ("organise that", ["Could we just move the quiz night to the church hall?"],
         "move the quiz night to the church hall"),
        # "it" after a preposition; a date is never the thing meant
        ("write a post about it for the newsletter", ["We open the new reading room on the fifth of March."],
         "write a post about the new reading room for the newsletter"),
        ("order a replacement one", ["The projector bulb failed."], "order a replacement bulb"),
        # taking on what was asked of anyone: the deed asked, its own pronoun resolved from before the asking
        ("do it", ["The kiln thermostat is reading high.", "Could somebody recalibrate it before Monday?"],
         "recalibrate the kiln thermostat before Monday"),
        ("take them", ["Somebody has to laminate the new menus."], "laminate the new menus"),
        ("pick that up", ["It might be worth someone phoning the landlord about the damp."],
         "phone the landlord about the damp"),
        ("do it tomorrow", ["We'd like someone to repaint the fire exit sign."], "repaint the fire exit sign"),
        ("take them", ["I think it looks great."], "take them"),
        # where a thing is kept is not the thing; "the last one" names nothing; a thing put first is the topic
        ("fit it", ["It's the fuse, I think.", "There's a spare in the van."], "fit the fuse"),
        ("book it", ["Quiz night. The last one was in May."], "book it"),
        ("oil it", ["The gate hinge is stiff.", "You can hear it from the car park."], "oil the gate hinge"),
        ("post it", ["The rent is due.", "It has to be there by the fourteenth."], "post the rent"),
        ("approve it", ["We checked the IT budget."], "approve the IT budget"),
        ("wash them", ["The tablecloths are grey.", "Under the lamp you notice."], "wash the tablecloths"),
        ("post them", ["And the parish newsletters for the lane, I can do those."],
         "post the parish newsletters for the lane"),
        ("post them", ["The newsletters will be late, sadly."], "post them"),
        (  # a phrase too long to repeat keeps its head
            "send it over",
            ["Can someone get the quarterly budget review report from the finance team in Leeds?"],
            "send over the quarterly budget review report",
        ),
    ],
)
def test_resolve_pronouns(text: str, context: list[str], expected: str) -> None:
    assert resolve_pronouns(text, context) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Okay, so we've decided to cut onboarding to three screens.", "Cut onboarding to three screens."),
        ("Shall we just go with the cheaper van?", "Go with the cheaper van."),
        ("From next week we stop printing the rota.", "From next week we stop printing the rota."),
        ("that's settled then", ""),
        ("Sounds good.", ""),
        ("Let's go with the blue one, right?", "Go with the blue one."),
        ("we'll go with the cheaper van then", "Go with the cheaper van."),
        ("We agreed that the launch moves to May.", "The launch moves to May."),
        ("I think we should uh drop the the voice recognition.", "Drop the voice recognition."),
        ("the decision is to keep the L_C_D_ screen", "Keep the LCD screen."),
        ("Um so we're gonna go with the the rubber buttons , yeah .", "Go with the rubber buttons."),
        ("let's do that", ""),
        ("Are we keeping the hall booking or not?", "Keep the hall booking."),
        ("Can we pause the newsletter till then?", "Pause the newsletter till then."),
        ("Not changing the menu before the inspection.", "Do not change the menu before the inspection."),
        ("Not worth chasing, honestly.", "Not worth chasing, honestly."),
        ("Not.", "Not."), ("Not everyone agrees.", "Not everyone agrees."),
        ("Are we still doing the raffle?", "Do the raffle."),
    ],
)
def test_decision(text: str, expected: str) -> None:
    assert decision(text) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("And who's ringing him?", "ring him"), ("Who sends them the link?", "send them the link"),
        ("Who's going to book the hall?", "book the hall"), ("Who can take the minutes?", "take the minutes"),
        ("Who's doing the raffle?", "do the raffle"), ("Who was that?", ""), ("Who's coming to the party?", ""),
        ("Who is first author?", ""), ("Who's going to?", ""),
    ],
)
def test_asked_who(question: str, expected: str) -> None:
    assert asked_who(question) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("believe it when I see it", False), ("need a bigger coffee", False), ("I know the bookshop does events", False),
    ("book the venue", True), ("send the numbers", True), ("I send it", True),
    ("barely have time to breathe", False), ("be honest, it's a lot", False), (", they're only open mornings", False),
    (": row B oil samples", True), ("don't forget the keys", True),
])
def test_is_deed(text: str, expected: bool) -> None:
    assert is_deed(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Raffle.", True), ("Crane hire after the slab.", True), ("The, uh, the treasurer's report.", True),
    ("Okay.", False), ("It's fine.", False), ("We need a venue.", False), ("Ha.", False),
    ("Nobody knows yet, it depends on sales.", False),
])
def test_is_topic(text: str, expected: bool) -> None:
    assert is_topic(text) is expected


def test_needed_deed() -> None:
    assert needed_deed("The Halden contract needs signing, like, this week.") == "sign the Halden contract"
    assert needed_deed("The contract is signed.") == ""


def test_items_overlap_by_word_stems_so_a_restated_task_is_the_same_task() -> None:
    # the words share only "refresher" (one of two); the stems share "book" as well
    assert overlap("book her refresher", "get the refresher course booked") == 1.0
    assert overlap("send the agenda", "print the minutes") == 0.0
    assert overlap("", "print the minutes") == 0.0


def test_whether_a_sentence_names_a_date() -> None:
    assert names_a_date("Thursday, time to be confirmed") and names_a_date("by the 14th")
    assert not names_a_date("the paid social budget stays open")
