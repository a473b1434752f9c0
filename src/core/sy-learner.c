/* sy-learner.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include "sy-learner.h"

struct _SyLearner
{
  GObject  parent_instance;

  char    *uuid;
  char    *name;
  SyRole   role;
  char    *external_id;
  char    *created;
  gboolean has_pin;
};

G_DEFINE_FINAL_TYPE (SyLearner, sy_learner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UUID,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sy_learner_finalize (GObject *object)
{
  SyLearner *self = (SyLearner *) object;

  g_free (self->uuid);
  g_free (self->name);
  g_free (self->external_id);
  g_free (self->created);

  G_OBJECT_CLASS (sy_learner_parent_class)->finalize (object);
}

static void
sy_learner_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SyLearner *self = SY_LEARNER (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_learner_class_init (SyLearnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sy_learner_finalize;
  object_class->get_property = sy_learner_get_property;

  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sy_learner_init (SyLearner *self)
{
}

SyLearner *
sy_learner_new (const char *uuid,
                const char *name,
                SyRole      role,
                const char *external_id,
                const char *created)
{
  SyLearner *self;

  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (SY_TYPE_LEARNER, NULL);
  self->uuid = g_strdup (uuid);
  self->name = g_strdup (name);
  self->role = role;
  self->external_id = g_strdup (external_id);
  self->created = g_strdup (created);
  return self;
}

const char *
sy_learner_get_uuid (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), NULL);
  return self->uuid;
}

const char *
sy_learner_get_name (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), NULL);
  return self->name;
}

SyRole
sy_learner_get_role (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), SY_ROLE_LEARNER);
  return self->role;
}

/**
 * sy_learner_get_external_id:
 *
 * Returns: (nullable): e.g. a doctor's registration number
 */
const char *
sy_learner_get_external_id (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), NULL);
  return self->external_id;
}

const char *
sy_learner_get_created (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), NULL);
  return self->created;
}

/**
 * sy_learner_get_has_pin:
 *
 * Returns: whether the profile is protected by a PIN
 */
gboolean
sy_learner_get_has_pin (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), FALSE);
  return self->has_pin;
}

/* For the store, which knows. */
void
_sy_learner_set_has_pin (SyLearner *self,
                         gboolean   has_pin)
{
  g_return_if_fail (SY_IS_LEARNER (self));
  self->has_pin = has_pin;
}
