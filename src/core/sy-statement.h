/* sy-statement.h — learning events as xAPI 1.0.3 statements
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-c/json.h>

#include "sy-text.h"
#include "sy-types.h"

G_BEGIN_DECLS

/* Activities are named under one constant base on every PC, so the same lesson has the
 * same id wherever it was studied. (.invalid is reserved: it will never resolve.) */
#define SY_ACTIVITY_BASE "https://shuyuan.invalid/xapi/course/"
#define SY_DEVICE_EXTENSION "https://shuyuan.invalid/xapi/extensions/device"
#define SY_SEED_EXTENSION "https://shuyuan.invalid/xapi/extensions/shuffle-seed"
#define SY_TRIES_EXTENSION "https://shuyuan.invalid/xapi/extensions/tries"
#define SY_DEFAULT_HOME_PAGE "https://learners.shuyuan.invalid/"
/* Class sessions: https://shuyuan.invalid/xapi/class/<class uuid>/session/<session uuid> */
#define SY_CLASS_ACTIVITY_BASE "https://shuyuan.invalid/xapi/class/"
#define SY_MEETING_ACTIVITY_TYPE "http://adlnet.gov/expapi/activities/meeting"

typedef enum
{
  SY_VERB_LAUNCHED,
  SY_VERB_PROGRESSED,
  SY_VERB_ATTEMPTED,
  SY_VERB_ANSWERED,
  SY_VERB_COMPLETED,
  SY_VERB_PASSED,
  SY_VERB_FAILED,
  SY_VERB_VOIDED,
  SY_VERB_ATTENDED,
  SY_VERB_OTHER,
} SyVerb;

/**
 * SyEvent:
 * @learner_uuid: who
 * @course_id: (nullable): the course
 * @item_id: (nullable): the item; %NULL for an event about the whole course
 * @question_id: (nullable): answered: the question
 * @verb: what happened
 * @registration: (nullable): the quiz attempt (a UUID) the event belongs to
 * @score: passed, failed: the scaled score 0–1; negative for none
 * @raw: with @score: points scored
 * @max: with @score: points possible
 * @success: -1 when not given, else 0 or 1
 * @completion: -1 when not given, else 0 or 1
 * @seconds: time on task this event reports; negative for none
 * @response: (nullable): answered: the response, in xAPI's format for the interaction
 * @seed: attempted: the seed options were shuffled with; negative for none
 * @tries: puzzles: how many runs it took (a result extension); 0 for none
 * @voids: (nullable): voided: the id of the statement voided
 * @object_name: (nullable): the name of the object, for readers of the record
 * @item_type: the kind of item, when @item_id is set
 * @object_iri: (nullable): the object's id when it is not a course, item or question
 *   (a class session); then @course_id may be %NULL
 * @object_type: (nullable): with @object_iri: the activity type
 * @instructor_uuid: (nullable): the teacher who recorded it for the learner
 *   (context.instructor); the store fills in the name
 * @instructor_name: (nullable): the teacher's display name
 * @team_uuid: (nullable): the class it happened in (context.team, an identified Group)
 * @team_name: (nullable): the class's name
 *
 * What the app and the CLI describe; the store turns it into a statement.
 */
typedef struct
{
  const char *learner_uuid;
  const char *course_id;
  const char *item_id;
  const char *question_id;
  SyVerb      verb;
  const char *registration;
  double      score;
  double      raw;
  double      max;
  int         success;
  int         completion;
  double      seconds;
  const char *response;
  gint64      seed;
  int         tries;
  const char *voids;
  SyText     *object_name;
  SyItemType  item_type;
  const char *object_iri;
  const char *object_type;
  const char *instructor_uuid;
  const char *instructor_name;
  const char *team_uuid;
  const char *team_name;
} SyEvent;

/**
 * SyStatementInfo:
 *
 * What the store indexes of a statement: the columns projections are computed from.
 * Strings are %NULL when the statement does not say.
 */
typedef struct
{
  char     *id;
  char     *learner_uuid;
  char     *course_id;
  char     *item_id;
  char     *question_id;
  char     *verb_id;
  SyVerb    verb;
  char     *registration;
  char     *timestamp;
  char     *stored;
  char     *voids;
  char     *response;
  SyStatus  status;
  double    score;      /* NAN for none */
  double    seconds;
  gboolean  attempt;
  gint64    seed;       /* -1 for none */
} SyStatementInfo;

#define SY_STATEMENT_ERROR (sy_statement_error_quark ())

typedef enum
{
  SY_STATEMENT_ERROR_INVALID,
} SyStatementError;

GQuark           sy_statement_error_quark  (void);
void             sy_event_init             (SyEvent           *event);
const char      *sy_verb_to_iri            (SyVerb             verb);
SyVerb           sy_verb_from_iri          (const char        *iri);
char            *sy_activity_iri           (const char        *course_id,
                                            const char        *item_id,
                                            const char        *question_id);
char            *sy_class_session_iri      (const char        *class_uuid,
                                            const char        *session_uuid);
char            *sy_duration_format        (double             seconds);
double           sy_duration_parse         (const char        *duration);
json_object     *sy_statement_build        (const SyEvent     *event,
                                            const char        *id,
                                            const char        *timestamp,
                                            const char        *learner_name,
                                            const char        *home_page,
                                            const char        *device_id);
SyStatementInfo *sy_statement_info_new     (json_object       *statement,
                                            GError           **error);
void             sy_statement_info_free    (SyStatementInfo   *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyStatementInfo, sy_statement_info_free)

G_END_DECLS
