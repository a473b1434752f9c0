/* sy-learner.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <string.h>

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
  char    *avatar;
};

G_DEFINE_FINAL_TYPE (SyLearner, sy_learner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UUID,
  PROP_NAME,
  PROP_AVATAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sy_learner_finalize (GObject *object)
{
  SyLearner *self = (SyLearner *) object;

  g_free (self->uuid);
  g_free (self->avatar);
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
    case PROP_AVATAR:
      g_value_set_string (value, self->avatar);
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
  properties[PROP_AVATAR] =
    g_param_spec_string ("avatar", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
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

/**
 * sy_learner_get_avatar:
 *
 * Returns: (nullable): the picture the learner chose: a short token naming one of the
 *   app's avatar icons (see sy_avatar_is_valid()), or %NULL for none
 */
const char *
sy_learner_get_avatar (SyLearner *self)
{
  g_return_val_if_fail (SY_IS_LEARNER (self), NULL);
  return self->avatar;
}

/* For the store, which knows. */
void
_sy_learner_set_avatar (SyLearner  *self,
                        const char *avatar)
{
  g_return_if_fail (SY_IS_LEARNER (self));
  if (g_strcmp0 (self->avatar, avatar) == 0)
    return;
  g_free (self->avatar);
  self->avatar = g_strdup (avatar);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVATAR]);
}

/**
 * sy_avatar_is_valid:
 *
 * An avatar is stored as a token the app maps to an icon: 1 to 32 characters of lowercase
 * ASCII letters, digits and hyphens, starting with a letter (e.g. "panda", "rocket-2").
 * Anything else, say a path or markup, is refused, so the token is safe to use as an icon
 * name and in file names.
 */
gboolean
sy_avatar_is_valid (const char *avatar)
{
  gsize len;

  if (avatar == NULL || !g_ascii_islower (avatar[0]))
    return FALSE;
  len = strlen (avatar);
  if (len > 32)
    return FALSE;
  for (const char *p = avatar; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}
