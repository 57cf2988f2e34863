"""Small fictional reviews written for the analysis tests: one with weak recommendations and
no child in its analysis, one with strong recommendations and the child at the centre, one
with no recommendations. Every person, place and agency is invented."""

from __future__ import annotations

WEAK = """# Child W: Serious Case Review

Overview report for the Eastmere Safeguarding Children Partnership. This is a fictional report
written for testing; every person, place and agency in it is invented.

## 1. Introduction

1.1 This review concerns the involvement of agencies with a family in Eastmere over two years.

## 2. Analysis of practice

2.1 The social worker failed to visit the family after the second referral. The police did not
share the domestic abuse notification. The GP did not attend the strategy meeting.

2.2 Agencies did not communicate well. Information was not shared between the police and the
health visitor. The case was closed without a multi-agency discussion.

2.3 Managers did not ensure that supervision took place. The thresholds document was not
followed and the referral was closed as no further action.

## 3. Findings

3.1 Agencies did not work together well. Communication between professionals was poor.

3.2 The assessment was not completed within timescales and the case was closed.

## 4. Recommendations

4.1 Lessons should be learned about the importance of communication.

4.2 All agencies should improve information sharing.

4.3 Practice should be improved.

4.4 Partners should reflect on the findings of this review.
"""

STRONG = """# Child S: Serious Case Review

Overview report for the Westholme Safeguarding Children Partnership. This is a fictional
report written for testing; every person, place and agency in it is invented.

## 1. Introduction

1.1 Child S was three years old when she was admitted to hospital with a head injury. She lived
with her mother and her mother's partner in a flat above a shop.

## 2. Analysis of practice

2.1 Child S told her nursery key worker that she was hungry in the mornings and that she hid
under her bed when the shouting started at night. Her key worker wrote down her words and kept
the drawings she made of her bedroom.

2.2 What Child S said did not reach her social worker because the nursery's referral went to a
duty inbox that was checked only twice a week while the team covered three vacancies. The
health visitor's review visit was cancelled because her caseload of 600 families left no time
for families who did not ask for help.

2.3 For Child S, this meant four more months of going to nursery hungry and frightened. Her
bruising was explained away because no one had put together what she had said at nursery with
what the police had seen at the flat.

## 3. Findings

3.1 Child S's voice was recorded but not heard, because the systems for passing on a nursery's
concerns depended on an inbox that no one owned.

3.2 Health visiting caseloads were too high for practitioners to notice a quiet, compliant
child whose mother did not seek help.

## 4. Recommendations

4.1 Westholme Children's Social Care should introduce a daily check of the duty inbox by a named
manager within three months, and report to the partnership board by the end of June how many
referrals were screened within one working day, with a target of 95%.

4.2 The Westholme Integrated Care Board should ensure that health visitor caseloads do not
exceed 400 families within twelve months, and report the caseload figures to the partnership
board every quarter.

4.3 The Westholme Safeguarding Children Partnership should audit 30 cases by the end of
September to measure how many records include the child's own words, with a target of 90%.
"""

NO_RECOMMENDATIONS = """# Child N: Rapid Review

Rapid review for the Northbrook Safeguarding Children Partnership. This is a fictional report
written for testing; every person, place and agency in it is invented.

## 1. Background

1.1 Child N was seven months old when he was taken to hospital with a fractured leg.

## 2. Analysis of practice

2.1 The health visitor saw Child N at home and noted that he was quiet and watchful. She asked
his mother about his sleep and his feeding, and recorded that he flinched when his father came
into the room.

2.2 The GP practice did not know that the family had moved, because the change of address was
sent to a closed mailbox.

## 3. Findings

3.1 Practitioners saw Child N but did not connect what they saw across agencies.
"""
