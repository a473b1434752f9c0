/* sy-learner-chooser.h — "Who is learning?": the people who learn on this PC
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-learner.h"

G_BEGIN_DECLS

#define SY_TYPE_LEARNER_CHOOSER (sy_learner_chooser_get_type ())

G_DECLARE_FINAL_TYPE (SyLearnerChooser, sy_learner_chooser, SY, LEARNER_CHOOSER, AdwBin)

GtkWidget *sy_learner_chooser_new           (void);
void       sy_learner_chooser_set_loading   (SyLearnerChooser *self);
void       sy_learner_chooser_set_learners  (SyLearnerChooser *self,
                                             GPtrArray        *learners);
void       sy_learner_chooser_set_class     (SyLearnerChooser *self,
                                             const char       *class_name);
void       sy_learner_chooser_show_error    (SyLearnerChooser *self,
                                             const char       *message);
void       sy_learner_chooser_focus         (SyLearnerChooser *self,
                                             const char       *learner_uuid);

void       sy_avatar_set_learner_name       (AdwAvatar        *avatar,
                                             const char       *name);

G_END_DECLS
