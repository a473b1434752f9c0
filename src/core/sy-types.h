/* sy-types.h — forward declarations shared by the core's headers
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _SyCourse  SyCourse;
typedef struct _SyLearner SyLearner;
typedef struct _SyModule  SyModule;
typedef struct _SyItem    SyItem;
typedef struct _SyStore   SyStore;
typedef struct _SyText    SyText;

/**
 * SyItemType:
 *
 * The kinds of item a course module holds (docs/course-format.md).
 */
typedef enum
{
  SY_ITEM_LESSON,
  SY_ITEM_QUIZ,
  SY_ITEM_SURVEY,
  SY_ITEM_PUZZLE,
} SyItemType;

/**
 * SyStatus:
 *
 * A learner's status on an item or a course. It only ever climbs: a projection takes the
 * maximum over the learner's statements, whatever their order.
 */
typedef enum
{
  SY_STATUS_NOT_STARTED,
  SY_STATUS_IN_PROGRESS,
  SY_STATUS_COMPLETED,
  SY_STATUS_PASSED,
} SyStatus;

typedef enum
{
  SY_ROLE_LEARNER,
  SY_ROLE_TEACHER,
  SY_ROLE_COORDINATOR,
} SyRole;

G_END_DECLS
