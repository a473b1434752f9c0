/* sy-learner.h — a person who learns (or teaches, or coordinates) on this PC
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-types.h"

G_BEGIN_DECLS

#define SY_TYPE_LEARNER (sy_learner_get_type ())

G_DECLARE_FINAL_TYPE (SyLearner, sy_learner, SY, LEARNER, GObject)

SyLearner  *sy_learner_new              (const char *uuid,
                                         const char *name,
                                         SyRole      role,
                                         const char *external_id,
                                         const char *created);
const char *sy_learner_get_uuid         (SyLearner  *self);
const char *sy_learner_get_name         (SyLearner  *self);
SyRole      sy_learner_get_role         (SyLearner  *self);
const char *sy_learner_get_external_id  (SyLearner  *self);
const char *sy_learner_get_created      (SyLearner  *self);
gboolean    sy_learner_get_has_pin      (SyLearner  *self);
void        _sy_learner_set_has_pin     (SyLearner  *self,
                                         gboolean    has_pin);
const char *sy_learner_get_avatar       (SyLearner  *self);
void        _sy_learner_set_avatar      (SyLearner  *self,
                                         const char *avatar);
gboolean    sy_avatar_is_valid          (const char *avatar);

G_END_DECLS
