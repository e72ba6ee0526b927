"""`wgan-keras train`: a WGAN on a 2-D toy or on images, resumably.

The recipes of `wk.recipes` with the papers' defaults: the WGAN-GP toy code's
MLPs for the 2-D toys, DCGAN networks for 28x28 grey and 32x32 or 64x64
colour images. Outputs (grids, Wasserstein curves, TensorBoard events,
run.json, a backup, gan.keras and generator.keras) go to `--output_dir`;
rerunning the same command resumes from its backup.
"""

import os
import sys

import numpy as np

from wgan_keras.cli.argument_types import non_negative_int, positive_int

TOYS = ("gaussians8", "gaussians25", "swiss_roll")
GAUSSIAN_MODES = {"gaussians8": 8, "gaussians25": 25}
DTYPE_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
HELD_OUT_SAMPLES = 1024
TOY_HELD_OUT = 1000


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "train",
        help="train a WGAN on a 2-D toy or on images, resumably",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument(
        "--data",
        default="gaussians8",
        help="gaussians8, gaussians25 or swiss_roll (2-D toys, made here); a .npz "
        "file in Keras' mnist.npz layout; a folder of images; or a "
        "tensorflow-datasets name (mnist, fashion_mnist, cifar10, celeb_a)",
    )
    parser.add_argument(
        "--method",
        default="gp",
        choices=("clip", "gp", "sn"),
        help="weight clipping (WGAN), gradient penalty (WGAN-GP) or spectral "
        "normalization (SN-GAN)",
    )
    parser.add_argument(
        "--generator_steps",
        type=positive_int,
        help="generator updates in all (default 3000 on toys, 100000 on images)",
    )
    parser.add_argument(
        "--steps_per_epoch",
        type=positive_int,
        help="generator updates between grids, logs and backups (default 100 "
        "on toys, 500 on images)",
    )
    parser.add_argument(
        "--batch_size", type=positive_int, default=64, help="critic batch m"
    )
    parser.add_argument(
        "--critic_steps",
        type=positive_int,
        default=5,
        help="critic updates per generator one",
    )
    parser.add_argument(
        "--latent_dim",
        type=positive_int,
        help="noise size (default 2 on toys, 128 on images)",
    )
    parser.add_argument(
        "--network",
        default="dcgan",
        choices=("dcgan", "resnet"),
        help="image networks: DCGAN, or the CIFAR-10 ResNets (a GPU's work at "
        "--dim=128)",
    )
    parser.add_argument(
        "--dim", type=positive_int, default=64, help="network width (64)"
    )
    parser.add_argument(
        "--image_size",
        type=positive_int,
        help="resize images to this side (28, 32 or 64)",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="weights, data, noise"
    )
    parser.add_argument(
        "--ema_decay", type=float, help="keep and sample an EMA generator (0.999)"
    )
    parser.add_argument(
        "--gp_weight", type=float, help="penalty weight, --method=gp only (10)"
    )
    parser.add_argument(
        "--learning_rate_decay_start",
        type=non_negative_int,
        help="generator step from which both learning rates fall linearly to 0",
    )
    parser.add_argument(
        "--dtype_policy", default="float32", choices=DTYPE_POLICIES, help="Keras'"
    )
    parser.add_argument("--data_dir", help="tensorflow-datasets data directory")
    parser.add_argument(
        "--output_dir", help="where outputs go (default outputs/<data>_<method>)"
    )
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="a class-conditional GAN on the labels of a .npz (y_train, y_test; "
        "classes 0 to the largest label), or with --smoke on labelled synthetic "
        "digits (a row per class in grids)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="4 generator steps at tiny width (toys: on the toy; else on "
        "synthetic digits): checks the installation",
    )
    return parser


def _schedule(args, toy):
    """`(steps, steps_per_epoch, dim)`, checked before any work."""
    if args.gp_weight is not None and args.method != "gp":
        raise ValueError(
            "`--gp_weight` applies to --method=gp only. Received: "
            f"--method={args.method} --gp_weight={args.gp_weight:g}"
        )
    if args.network != "dcgan" and toy:
        raise ValueError(
            f"`--network={args.network}` is for images; the 2-D toys train the "
            f"MLPs. Received: --data={args.data}"
        )
    if args.conditional and (toy or not (args.smoke or args.data.endswith(".npz"))):
        raise ValueError(
            "`--conditional` needs labelled images: a .npz in Keras' mnist.npz "
            "layout (x_train, y_train, ...), or image data with --smoke (e.g. "
            f"--data=mnist --smoke). Received: --data={args.data}"
        )
    from wgan_keras import recipes

    def given(value, default):
        return default if value is None else value

    return recipes.schedule(
        given(args.generator_steps, 3000 if toy else 100_000),
        given(args.steps_per_epoch, 100 if toy else 500),
        args.dim,
        args.learning_rate_decay_start,
        args.smoke,
    )


def _toy(name, count, seed):
    from wgan_keras import datasets

    if name == "swiss_roll":
        return datasets.swiss_roll(count, seed=seed)
    return datasets.gaussian_mixture_2d(count, modes=GAUSSIAN_MODES[name], seed=seed)


def run(args):
    toy = args.data in TOYS
    steps, steps_per_epoch, dim = _schedule(args, toy)
    output_dir = args.output_dir or os.path.join(
        "outputs",
        f"{os.path.splitext(os.path.basename(os.path.normpath(args.data)))[0]}_"
        f"{args.method}",
    )

    import keras

    import wgan_keras as wk

    keras.config.set_dtype_policy(args.dtype_policy)
    keras.utils.set_random_seed(args.seed)
    fit_kwargs, extra_callbacks = {}, []
    if toy:
        group = args.batch_size * args.critic_steps
        data = _toy(args.data, group * steps_per_epoch, args.seed)
        held_out = _toy(args.data, TOY_HELD_OUT, args.seed + 1)
        fit_kwargs["batch_size"] = args.batch_size
        extra_callbacks.append(wk.callbacks.ExactWasserstein(held_out))
        source = args.data
    elif args.conditional:
        train_source = test_source = args.data
        if args.smoke:  # labelled by index
            train_source = wk.datasets.synthetic_digits(640, args.seed)
            test_source = wk.datasets.synthetic_digits(128, args.seed + 1)
        data, labels = wk.recipes.labelled_images(train_source, "train")
        held_out = wk.recipes.labelled_images(test_source, "test", HELD_OUT_SAMPLES)
        fit_kwargs.update(y=labels, batch_size=args.batch_size)
        # The labels say how many classes: 10 for MNIST, 100 for CIFAR-100.
        num_classes = int(max(labels.max(), held_out[1].max())) + 1
        source = "synthetic digits" if args.smoke else args.data
    else:
        train_source = test_source = args.data
        if args.smoke:
            train_source = wk.datasets.synthetic_digits(640, args.seed)
            test_source = wk.datasets.synthetic_digits(128, args.seed + 1)
        load = dict(image_size=args.image_size, data_dir=args.data_dir)
        data = wk.datasets.load_images(
            train_source,
            batch_size=args.batch_size,
            seed=args.seed,
            repeat=True,
            **load,
        )
        # Up to HELD_OUT_SAMPLES test images: a small folder gives all it has.
        count = 128 if args.smoke else HELD_OUT_SAMPLES
        test = wk.datasets.load_images(
            test_source, split="test", batch_size=1, shuffle=False, **load
        )
        held_out = np.concatenate([batch.numpy() for batch in test.take(count)])
        source = "synthetic digits" if args.smoke else args.data
    sample_shape = tuple((held_out[0] if args.conditional else held_out).shape[1:])
    latent_dim = args.latent_dim or (2 if toy else 128)
    gan = wk.recipes.build_gan(
        args.method,
        sample_shape,
        latent_dim=latent_dim,
        dim=dim,
        critic_steps=args.critic_steps,
        seed=args.seed,
        ema_decay=args.ema_decay,
        gp_weight=args.gp_weight,
        num_classes=num_classes if args.conditional else None,
        network=args.network,
    )
    gan.compile()
    print(
        f"Training {'a class-conditional ' * args.conditional}"
        f"{type(gan).__name__} on {source} {sample_shape} with the "
        f"{keras.config.backend()} backend under {args.dtype_policy}: {steps} "
        f"generator steps in epochs of {steps_per_epoch}, batch {args.batch_size}, "
        f"{args.critic_steps} critic steps each. Outputs: {output_dir}"
    )
    paths = wk.recipes.fit_run(
        gan,
        data,
        held_out,
        steps,
        steps_per_epoch,
        output_dir,
        command=" ".join(["wgan-keras", *sys.argv[1:]]),
        learning_rate_decay_start=args.learning_rate_decay_start,
        extra_callbacks=extra_callbacks,
        verbose=1 if sys.stdout.isatty() else 2,
        **fit_kwargs,
    )
    if args.data in GAUSSIAN_MODES:
        modes = GAUSSIAN_MODES[args.data]
        samples = gan.generate(TOY_HELD_OUT, seed=0)
        covered, off = wk.datasets.covered_modes(samples, modes=modes)
        print(f"Modes covered: {covered}/{modes}; samples off every mode: {off:.1%}")
    print(f"Sample it: wgan-keras sample --model {paths['generator']}")
    return 0
