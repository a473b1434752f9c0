/* sy-course-card.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include "sy-course-card.h"
#include "sy-cover.h"
#include "sy-format.h"
#include "sy-util.h"

/* The widest a card gets in the grid; covers are decoded at this times the scale factor,
 * not at their own size, so a library of hundreds of courses stays small. */
#define COVER_WIDTH 340

struct _SyCourseCard
{
  GtkWidget        parent_instance;

  SyCourse        *course;
  GCancellable    *cancellable;

  GtkPicture      *cover;
  GtkWidget       *cover_placeholder;
  GtkLabel        *programme_label;
  GtkLabel        *title_label;
  GtkLabel        *facts_label;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
};

G_DEFINE_FINAL_TYPE (SyCourseCard, sy_course_card, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COURSE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cover_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyCourseCard) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = sy_cover_load_finish (result, &error);
  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No cover for %s: %s", sy_course_get_id (self->course), error->message);
      return;
    }

  gtk_picture_set_paintable (self->cover, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (self->cover_placeholder, FALSE);
}

/* Shows self->course; the grid recycles cards, so this runs whenever one is rebound. */
static void
sy_course_card_update (SyCourseCard *self)
{
  const char *title;
  const char *programme;
  g_autofree char *facts = NULL;
  g_autofree char *progress = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_picture_set_paintable (self->cover, NULL);
  gtk_widget_set_visible (self->cover_placeholder, TRUE);

  if (self->course == NULL)
    return;

  title = sy_text_get (sy_course_get_title (self->course), NULL);
  programme = sy_programme_display_name (sy_course_get_programme (self->course));
  facts = sy_format_course_facts (self->course);
  progress = sy_format_progress (sy_course_get_n_done (self->course),
                                 sy_course_get_n_items (self->course));

  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->programme_label, programme);
  gtk_widget_set_visible (GTK_WIDGET (self->programme_label), programme != NULL);
  gtk_label_set_label (self->facts_label, facts);
  gtk_progress_bar_set_fraction (self->progress_bar, sy_course_get_progress (self->course));
  gtk_label_set_label (self->progress_label, progress);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, progress,
                                  -1);

}

/**
 * sy_course_card_load_cover:
 *
 * Starts loading the cover, once per course shown. The grid keeps many more cards than
 * fit on the screen (30 rows in GTK 4.8), so the window calls this only for the cards
 * the user can see, and scrolling loads the rest.
 */
void
sy_course_card_load_cover (SyCourseCard *self)
{
  g_autofree char *cover = NULL;

  g_return_if_fail (SY_IS_COURSE_CARD (self));

  if (self->course == NULL || self->cancellable != NULL)
    return;
  if ((cover = sy_course_get_cover_path (self->course)) == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  sy_cover_load_async (cover, COVER_WIDTH * gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                       self->cancellable, cover_loaded_cb, g_object_ref (self));
}

static void
sy_course_card_dispose (GObject *object)
{
  SyCourseCard *self = (SyCourseCard *) object;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_COURSE_CARD);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->course);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sy_course_card_parent_class)->dispose (object);
}

static void
sy_course_card_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SyCourseCard *self = SY_COURSE_CARD (object);

  switch (prop_id)
    {
    case PROP_COURSE:
      g_value_set_object (value, self->course);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_course_card_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SyCourseCard *self = SY_COURSE_CARD (object);

  switch (prop_id)
    {
    case PROP_COURSE:
      sy_course_card_set_course (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_course_card_class_init (SyCourseCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_course_card_dispose;
  object_class->get_property = sy_course_card_get_property;
  object_class->set_property = sy_course_card_set_property;

  /**
   * SyCourseCard:course:
   *
   * The course shown, as listed by the store (without its modules).
   */
  properties[PROP_COURSE] =
    g_param_spec_object ("course", NULL, NULL,
                         SY_TYPE_COURSE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-course-card.ui");
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, cover);
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, cover_placeholder);
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, programme_label);
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, facts_label);
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SyCourseCard, progress_label);
}

static void
sy_course_card_init (SyCourseCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sy_course_card_new:
 *
 * Returns: (transfer floating): a card; the library grid binds it to a course with
 *   sy_course_card_set_course()
 */
GtkWidget *
sy_course_card_new (void)
{
  return g_object_new (SY_TYPE_COURSE_CARD, NULL);
}

/**
 * sy_course_card_get_course:
 *
 * Returns: (nullable) (transfer none): the course shown
 */
SyCourse *
sy_course_card_get_course (SyCourseCard *self)
{
  g_return_val_if_fail (SY_IS_COURSE_CARD (self), NULL);

  return self->course;
}

void
sy_course_card_set_course (SyCourseCard *self,
                           SyCourse     *course)
{
  g_return_if_fail (SY_IS_COURSE_CARD (self));
  g_return_if_fail (course == NULL || SY_IS_COURSE (course));

  if (!g_set_object (&self->course, course))
    return;
  sy_course_card_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COURSE]);
}

/**
 * sy_course_card_has_cover:
 *
 * Returns: whether the cover is loaded and shown
 */
gboolean
sy_course_card_has_cover (SyCourseCard *self)
{
  g_return_val_if_fail (SY_IS_COURSE_CARD (self), FALSE);

  return gtk_picture_get_paintable (self->cover) != NULL;
}
