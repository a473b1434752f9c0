/* sy-classroom.h — a teacher's classes, sessions and the coach report (data types)
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's classroom functions (sy-store.h) return these plain structures; pupils are
 * SyLearner objects. Everything that happens in a class (attendance, a class quiz) is an
 * xAPI statement, and what is shown of it is a projection of the statements.
 */
#pragma once

#include <glib.h>

#include "sy-text.h"
#include "sy-types.h"

G_BEGIN_DECLS

/**
 * SyClass:
 * @uuid: the class's UUID (also the account name of its xAPI Group)
 * @name: e.g. "三年级一班"
 * @teacher_uuid: the teacher who owns it
 * @teacher_name: the teacher's display name
 * @created: when it was made (ISO 8601)
 * @archived: hidden from the teacher's list, kept with its records
 * @n_pupils: how many pupils it has
 */
typedef struct
{
  char     *uuid;
  char     *name;
  char     *teacher_uuid;
  char     *teacher_name;
  char     *created;
  gboolean  archived;
  guint     n_pupils;
} SyClass;

/**
 * SyClassAssignment:
 * @course_id: the course
 * @item_id: (nullable): one lesson, quiz, survey or puzzle; %NULL for the whole course
 * @title: (nullable): the item's title (or the course's); %NULL if it is not installed
 * @course_title: (nullable): the course's title; %NULL if it is not installed
 * @item_type: with @item_id: what kind of item it is
 * @assigned: when it was assigned (ISO 8601)
 */
typedef struct
{
  char       *course_id;
  char       *item_id;
  SyText     *title;
  SyText     *course_title;
  SyItemType  item_type;
  char       *assigned;
} SyClassAssignment;

/**
 * SyClassSession:
 * @uuid: the session's UUID: the registration of its attendance statements
 * @class_uuid: the class
 * @started: when it began (ISO 8601, UTC)
 * @title: (nullable): what the teacher called it
 */
typedef struct
{
  char *uuid;
  char *class_uuid;
  char *started;
  char *title;
} SyClassSession;

/**
 * SyAttendance:
 * @learner_uuid: a pupil of the session's class
 * @name: the pupil's name
 * @avatar: (nullable): the pupil's avatar token
 * @present: whether a non-voided `attended` statement says so
 * @statement_id: (nullable): with @present: that statement (the earliest, if several)
 */
typedef struct
{
  char     *learner_uuid;
  char     *name;
  char     *avatar;
  gboolean  present;
  char     *statement_id;
} SyAttendance;

/**
 * SyClassAnswer:
 * @SY_CLASS_ANSWER_FAILED: nothing was recorded; the error says why
 * @SY_CLASS_ANSWER_ABSENT: the pupil was absent: nothing was recorded
 * @SY_CLASS_ANSWER_WRONG: recorded, and not right
 * @SY_CLASS_ANSWER_RIGHT: recorded, and right
 * @SY_CLASS_ANSWER_RECORDED: a survey answer: recorded, not judged
 */
typedef enum
{
  SY_CLASS_ANSWER_FAILED,
  SY_CLASS_ANSWER_ABSENT,
  SY_CLASS_ANSWER_WRONG,
  SY_CLASS_ANSWER_RIGHT,
  SY_CLASS_ANSWER_RECORDED,
} SyClassAnswer;

/**
 * SyClassQuizResult:
 * @learner_uuid: the pupil
 * @name: the pupil's name
 * @registration: the pupil's attempt
 * @n_answered: questions answered
 * @n_right: of those, right
 * @n_questions: questions in the quiz
 * @score: @n_right / @n_questions (quizzes), or -1 for a survey
 * @passed: whether the attempt passed (surveys: completed)
 * @statement_id: the `passed`, `failed` or `completed` statement
 */
typedef struct
{
  char     *learner_uuid;
  char     *name;
  char     *registration;
  guint     n_answered;
  guint     n_right;
  guint     n_questions;
  double    score;
  gboolean  passed;
  char     *statement_id;
} SyClassQuizResult;

/**
 * SyCoachPupil:
 * @uuid: the pupil
 * @name: the pupil's name
 * @avatar: (nullable): the pupil's avatar token
 * @started: whether the pupil has begun any assigned item
 */
typedef struct
{
  char     *uuid;
  char     *name;
  char     *avatar;
  gboolean  started;
} SyCoachPupil;

/**
 * SyCoachItem:
 * @course_id: the course
 * @item_id: the item
 * @item_type: its kind
 * @title: its title
 * @course_title: its course's title
 */
typedef struct
{
  char       *course_id;
  char       *item_id;
  SyItemType  item_type;
  SyText     *title;
  SyText     *course_title;
} SyCoachItem;

/**
 * SyCoachCell:
 * @status: the pupil's status on the item
 * @best_score: the best scaled score, or -1 for none
 */
typedef struct
{
  SyStatus status;
  double   best_score;
} SyCoachCell;

/**
 * SyMissedQuestion:
 * @course_id: the course
 * @item_id: the quiz
 * @question_id: the question
 * @quiz_title: the quiz's title
 * @prompt: (nullable): the question, if the quiz can be read
 * @n_wrong: final answers (the last of each attempt) that were not right
 * @n_answered: final answers
 */
typedef struct
{
  char   *course_id;
  char   *item_id;
  char   *question_id;
  SyText *quiz_title;
  SyText *prompt;
  guint   n_wrong;
  guint   n_answered;
} SyMissedQuestion;

/**
 * SyCoachReport:
 * @class_info: the class
 * @generated: when the report was made (ISO 8601, UTC)
 * @pupils: (element-type SyCoachPupil): the pupils, in class order
 * @items: (element-type SyCoachItem): the assigned items, whole courses expanded, in
 *   assignment then course order
 * @cells: @pupils->len × @items->len cells, row by row: see sy_coach_report_get_cell()
 * @missed: (element-type SyMissedQuestion): questions with a wrong answer, most missed
 *   first
 * @not_started: (element-type SyCoachPupil): the pupils who have begun no assigned item
 *   (pointers into @pupils)
 *
 * A coach report: how each pupil stands on each assigned item, the questions the class
 * most often misses, and who has not started.
 */
typedef struct
{
  SyClass     *class_info;
  char        *generated;
  GPtrArray   *pupils;
  GPtrArray   *items;
  SyCoachCell *cells;
  GPtrArray   *missed;
  GPtrArray   *not_started;
} SyCoachReport;

void               sy_class_free              (SyClass              *klass);
void               sy_class_assignment_free   (SyClassAssignment    *assignment);
void               sy_class_session_free      (SyClassSession       *session);
void               sy_attendance_free         (SyAttendance         *attendance);
void               sy_class_quiz_result_free  (SyClassQuizResult    *result);
void               sy_coach_report_free       (SyCoachReport        *report);
const SyCoachCell *sy_coach_report_get_cell   (const SyCoachReport  *report,
                                               guint                 pupil,
                                               guint                 item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyClass, sy_class_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyClassAssignment, sy_class_assignment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyClassSession, sy_class_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyAttendance, sy_attendance_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyClassQuizResult, sy_class_quiz_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyCoachReport, sy_coach_report_free)

G_END_DECLS
